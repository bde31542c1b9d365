import { createHash } from 'node:crypto';
import path from 'node:path';

import { cacheHeader, hashFiles, readCacheBody, writeCacheFile } from './cache-file.js';

/**
 * Decoded and resized images before scaling: one integer image per name, at the bit depth of its file, so the
 * intensity range can still change without decoding again.
 */
export interface ResizedImages {
  /** The side of every image. */
  readonly size: number;

  /** `values[n * size * size + y * size + x]`; 8-bit images hold 0..255, 16-bit ones 0..65535. */
  readonly values: Uint16Array;

  /** The bit depth of each image's file: 8 or 16. */
  readonly depths: Uint8Array;

  /** 1 where the file was in colour and became luma, else 0. */
  readonly colour: Uint8Array;
}

// Bump when the decode, luma or resize arithmetic changes, so old cache files are not reused.
const CACHE_VERSION = 1;
const MAGIC = 'D2UEDEC1';

/**
 * The cache key of a set of images: SHA-256 over the cache version, the image size, and each name with the
 * SHA-256 of its file's bytes. Any changed, added, removed or reordered file gives a new key.
 *
 * @example
 * const key = await decodeCacheKey('/data/rsna/images', ['a.png', 'b.png'], 64);
 * @throws D2ueError `data` naming a file that cannot be read.
 */
export async function decodeCacheKey(folder: string, names: readonly string[], size: number): Promise<string> {
  const hashes = await hashFiles(names.map((name) => path.join(folder, name)), 'file');

  const key = createHash('sha256').update(JSON.stringify({ version: CACHE_VERSION, size }));
  names.forEach((name, index) => key.update(`\n${name}\t${hashes[index]}`));
  return key.digest('hex');
}

/** Returns the path of the cache file of `key` under the d2ue cache folder. */
export function decodeCacheFile(cacheRoot: string, key: string): string {
  return path.join(cacheRoot, 'decoded', `${key.slice(0, 32)}.bin`);
}

/**
 * Reads a cache file written by {@link writeDecodeCache}; returns null when it is absent, damaged or contains
 * another number or size of images, so the caller decodes again.
 *
 * @example
 * const cached = await readDecodeCache(file, names.length, 64);
 */
export async function readDecodeCache(file: string, count: number, size: number): Promise<ResizedImages | null> {
  const area = size * size;
  const body = await readCacheBody(file, MAGIC, count, size, 2 * count + 2 * count * area);
  if (body === null) return null;

  // Copy into aligned arrays: a Buffer from readFile may start at an odd offset of its pool.
  const depths = Uint8Array.from(body.subarray(0, count));
  const colour = Uint8Array.from(body.subarray(count, 2 * count));
  const raw = new Uint8Array(2 * count * area);
  raw.set(body.subarray(2 * count));
  const values = new Uint16Array(raw.buffer);
  if (depths.some((depth) => depth !== 8 && depth !== 16)) return null;

  return { size, values: littleEndian(values), depths, colour };
}

/**
 * Writes `images` to `file` atomically: magic, count and size (u32 LE), the depth and colour flag of each image,
 * then the values as u16 LE.
 *
 * @example
 * await writeDecodeCache(file, images);
 * @throws D2ueError `io` when the cache folder cannot be written.
 */
export async function writeDecodeCache(file: string, images: ResizedImages): Promise<void> {
  const header = cacheHeader(MAGIC, images.depths.length, images.size);

  const values = littleEndian(Uint16Array.from(images.values));
  await writeCacheFile(file, Buffer.concat([header, images.depths, images.colour, new Uint8Array(values.buffer)]));
}

/** Swaps u16 values in place on a big-endian host, so the file is little-endian everywhere. */
function littleEndian(values: Uint16Array): Uint16Array {
  const probe = new Uint8Array(Uint16Array.of(1).buffer);
  if (probe[0] === 1) return values;
  for (let i = 0; i < values.length; i++) values[i] = ((values[i]! & 0xff) << 8) | (values[i]! >> 8);
  return values;
}
