import { crc32, deflateSync } from 'node:zlib';

/**
 * Encodes a 16-bit grey PNG by hand (PNG spec: signature, IHDR, one zlib IDAT with filter 0 rows of big-endian
 * samples, IEND), so tests can check the decoder against values no image library has touched.
 */
export function encodeGrey16Png(samples: readonly number[], width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 16; // bit depth
  header[9] = 0; // colour type 0: grey

  const rows = Buffer.alloc(height * (1 + width * 2));
  for (let y = 0; y < height; y++) {
    const start = y * (1 + width * 2);
    for (let x = 0; x < width; x++) rows.writeUInt16BE(samples[y * width + x]!, start + 1 + x * 2);
  }

  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const check = Buffer.alloc(4);
  check.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, check]);
}
