import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readMnistSplit } from './idx.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'd2ue-idx-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Builds an IDX file: big-endian magic, one 32-bit size per dimension, then the bytes. */
function idx(magic: number, dimensions: number[], body: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dimensions.length);
  header.writeUInt32BE(magic, 0);
  dimensions.forEach((size, axis) => header.writeUInt32BE(size, 4 + 4 * axis));
  return Buffer.concat([header, Buffer.from(body)]);
}

async function writePair(name: string, images: Buffer, labels: Buffer): Promise<string> {
  const pair = path.join(folder, name);
  await mkdir(pair);
  await writeFile(path.join(pair, 'train-images-idx3-ubyte'), images);
  await writeFile(path.join(pair, 'train-labels-idx1-ubyte'), labels);
  return pair;
}

describe('readMnistSplit', () => {
  const pixels = Array.from({ length: 2 * 2 * 3 }, (_, i) => i * 10);

  it('parses a small pair', async () => {
    const pair = await writePair('good', idx(0x803, [2, 2, 3], pixels), idx(0x801, [2], [7, 1]));
    const split = await readMnistSplit('train', pair);

    expect([split.count, split.rows, split.columns]).toEqual([2, 2, 3]);
    expect([...split.images]).toEqual(pixels);
    expect([...split.labels]).toEqual([7, 1]);
  });

  it('reads the packaged MNIST files', async () => {
    const test = await readMnistSplit('t10k');
    expect([test.count, test.rows, test.columns]).toEqual([10000, 28, 28]);
    // The first three t10k labels are 7, 2, 1 (the MNIST test set's well-known start).
    expect([...test.labels.subarray(0, 3)]).toEqual([7, 2, 1]);
  });

  it('rejects a wrong magic number', async () => {
    const pair = await writePair('magic', idx(0x801, [2, 2, 3], pixels), idx(0x801, [2], [7, 1]));
    await expect(readMnistSplit('train', pair)).rejects.toThrow(
      `${path.join(pair, 'train-images-idx3-ubyte')}: not an IDX file of rank 3 (magic number 0x00000801, expected 0x00000803)`,
    );
  });

  it('rejects a truncated file', async () => {
    const pair = await writePair('short', idx(0x803, [2, 2, 3], pixels.slice(0, 9)), idx(0x801, [2], [7, 1]));
    await expect(readMnistSplit('train', pair)).rejects.toThrow(
      `${path.join(pair, 'train-images-idx3-ubyte')}: 25 bytes, but its header [2, 2, 3] needs 28`,
    );
  });

  it('rejects mismatched label counts', async () => {
    const pair = await writePair('count', idx(0x803, [2, 2, 3], pixels), idx(0x801, [3], [7, 1, 4]));
    await expect(readMnistSplit('train', pair)).rejects.toThrow('has 3 labels but');
  });

  it('rejects a missing file', async () => {
    await expect(readMnistSplit('train', path.join(folder, 'absent'))).rejects.toThrow(
      /train-images-idx3-ubyte: cannot read the MNIST file \(ENOENT/,
    );
  });
});
