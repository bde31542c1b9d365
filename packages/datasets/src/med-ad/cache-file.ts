import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { D2ueError, writeFileAtomic } from '@d2ue/core';

import { runConcurrently } from '../concurrency.js';

// Hashing is bound by disk reads; this many files in flight keep the disk busy without holding much memory.
const HASH_CONCURRENCY = 16;

/**
 * Hashes each file's bytes with SHA-256 (hex), reading up to 16 files at a time; a `null` entry stays null.
 * `noun` names the files in the error ("file", "mask").
 *
 * @throws D2ueError `data` naming the first file that cannot be read.
 */
export async function hashFiles(files: readonly (string | null)[], noun: string): Promise<(string | null)[]> {
  const hashes = new Array<string | null>(files.length).fill(null);
  const failures = await runConcurrently(files.length, HASH_CONCURRENCY, async (index) => {
    const file = files[index];
    if (file === null || file === undefined) return;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new D2ueError('data', `${file}: cannot read the ${noun} (${(error as Error).message}). Check its permissions.`, {
        subject: file,
        cause: error,
      });
    }
    hashes[index] = createHash('sha256').update(bytes).digest('hex');
  });
  if (failures.length > 0) throw failures[0]!.error;
  return hashes;
}

/** Returns the header of a cache file: the 8-character `magic`, then `count` and `size` as u32 LE. */
export function cacheHeader(magic: string, count: number, size: number): Buffer {
  const header = Buffer.alloc(magic.length + 8);
  header.write(magic, 0, 'latin1');
  header.writeUInt32LE(count, magic.length);
  header.writeUInt32LE(size, magic.length + 4);
  return header;
}

/**
 * Reads a cache file and checks its header and total length. Returns the bytes after the header, or null when the
 * file is absent, truncated, or of another format, count or size, so the caller computes the data again.
 */
export async function readCacheBody(file: string, magic: string, count: number, size: number, bodyLength: number): Promise<Buffer | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return null;
  }

  const headerLength = magic.length + 8;
  if (bytes.length !== headerLength + bodyLength || bytes.toString('latin1', 0, magic.length) !== magic) return null;
  if (bytes.readUInt32LE(magic.length) !== count || bytes.readUInt32LE(magic.length + 4) !== size) return null;
  return bytes.subarray(headerLength);
}

/**
 * Writes a cache file atomically, creating its folder first.
 *
 * @throws D2ueError `io` when the cache folder cannot be created.
 */
export async function writeCacheFile(file: string, bytes: Uint8Array): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
  } catch (error) {
    throw new D2ueError('io', `Cannot create the cache folder ${path.dirname(file)}: ${(error as Error).message}`, {
      subject: file,
      cause: error,
    });
  }
  writeFileAtomic(file, bytes);
}
