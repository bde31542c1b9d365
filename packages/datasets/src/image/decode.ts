import sharp, { type Metadata, type OutputInfo } from 'sharp';

import { D2ueError } from '@d2ue/core';

import { firstChannel, lumaFromInterleaved } from './luma.js';

/** A one-channel image at its stored bit depth. */
export interface GreyImage {
  /** Row-major grey values, 0..255 for depth 8 and 0..65535 for depth 16. */
  readonly pixels: Uint8Array | Uint16Array;
  readonly width: number;
  readonly height: number;
  readonly depth: 8 | 16;

  /** True when the file had colour channels that were converted to luma. */
  readonly colour: boolean;
}

/**
 * Decodes a PNG or JPEG file to grey at its own bit depth. Grey files keep their values (16-bit ones exactly);
 * colour files become BT.601 luma like PIL's `convert('L')`; an alpha channel is ignored, as PIL does.
 *
 * @example
 * const { pixels, depth } = await decodeGrey('/data/brain/images/a.png');
 * @throws D2ueError `data` when sharp cannot read or fully decode the file, or its samples are not 8 or 16 bit.
 */
export async function decodeGrey(file: string): Promise<GreyImage> {
  let metadata: Metadata;
  try {
    metadata = await sharp(file).metadata();
  } catch (error) {
    throw decodeError(file, error);
  }

  let depth: 8 | 16;
  if (metadata.depth === 'uchar') {
    depth = 8;
  } else if (metadata.depth === 'ushort') {
    depth = 16;
  } else {
    throw new D2ueError(
      'data',
      `${file}: unsupported sample format "${String(metadata.depth)}"; d2ue reads 8-bit and 16-bit images. ` +
        `Convert the file to an 8-bit or 16-bit PNG.`,
      { subject: file },
    );
  }

  const grey = (metadata.channels ?? 3) <= 2;
  let space: 'grey16' | 'b-w' | 'rgb16' | 'srgb';
  if (grey) {
    space = depth === 16 ? 'grey16' : 'b-w';
  } else {
    space = depth === 16 ? 'rgb16' : 'srgb';
  }

  // sharp's default `failOn: 'warning'` makes a truncated file fail here rather than decode partly.
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(file)
      .toColourspace(space)
      .raw({ depth: depth === 16 ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw decodeError(file, error);
  }

  const { data, info } = decoded;
  const samples = depth === 16 ? toUint16(data) : new Uint8Array(data.buffer, data.byteOffset, data.length);
  const pixels = info.channels >= 3 ? lumaFromInterleaved(samples, info.channels) : firstChannel(samples, info.channels);

  return { pixels, width: info.width, height: info.height, depth, colour: info.channels >= 3 };
}

/** Copies native-endian 16-bit samples into an aligned array (a Buffer's offset may be odd). */
function toUint16(data: Buffer): Uint16Array {
  const copy = new Uint8Array(data.length);
  copy.set(data);
  return new Uint16Array(copy.buffer);
}

function decodeError(file: string, error: unknown): D2ueError {
  const reason = error instanceof Error ? error.message.trim() : String(error);
  return new D2ueError(
    'data',
    `${file}: cannot decode the image (${reason}). Replace the file with a valid PNG or JPEG, or remove it and its ` +
      `name from data.json.`,
    { subject: file, cause: error },
  );
}
