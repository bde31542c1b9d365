import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import sharp from 'sharp';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';

import type { MedAdData } from '@d2ue/core';

import { encodeGrey16Png } from '../image/__fixtures__/png16.js';
import { MedAdLoader } from './loader.js';

// Pillow 9.4 resize outputs written by ../image/__fixtures__/make_fixtures.py.
const pillow = JSON.parse(readFileSync(new URL('../image/__fixtures__/pillow.json', import.meta.url), 'utf8')) as {
  input: { width: number; height: number };
  resize8: { width: number; height: number; pixels: number[] }[];
};

const temporary: string[] = [];
afterAll(async () => {
  await Promise.all(temporary.map((folder) => rm(folder, { recursive: true, force: true })));
});

/** Writes a Med-AD folder with the given image files and data.json content. */
async function makeFolder(files: Record<string, Buffer>, dataJson: unknown): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'd2ue-med-ad-'));
  temporary.push(root);
  await mkdir(path.join(root, 'images'));
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(root, 'images', name), bytes);
  if (dataJson !== undefined) {
    const text = typeof dataJson === 'string' ? dataJson : JSON.stringify(dataJson);
    await writeFile(path.join(root, 'data.json'), text);
  }
  return root;
}

function grey8Png(values: readonly number[], width: number, height: number): Promise<Buffer> {
  return sharp(Uint8Array.from(values), { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer();
}

function solidRgb(colour: [number, number, number], format: 'png' | 'jpeg'): Promise<Buffer> {
  const image = sharp({ create: { width: 8, height: 8, channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } });
  return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 95 }).toBuffer();
}

const toUnit = (value: number, max: number): number => Math.fround((value / max) * 2 - 1);
// These cases check decoding and the layout rules; loader-checks.test.ts covers the class check and the cache.
const loader = new MedAdLoader({ requireBothClasses: false, cache: false });

describe('MedAdLoader', () => {
  it('reads 8-bit grey PNGs', async () => {
    const values = [0, 1, 127, 128, 254, 255, 60, 200, 13];
    const root = await makeFolder(
      { 'a.png': await grey8Png(values, 3, 3), 'b.png': await grey8Png(values.toReversed(), 3, 3) },
      { train: { '0': ['a.png'] }, test: { '0': [], '1': ['b.png'] } },
    );

    const data = await loader.load(root, { imageSize: 3 });

    expect(data.train.ids).toEqual(['a.png']);
    expect([...data.train.labels]).toEqual([0]);
    expect([...data.train.pixels]).toEqual(values.map((v) => toUnit(v, 255)));
    expect([...data.test.labels]).toEqual([1]);
    expect([...data.test.pixels]).toEqual(values.toReversed().map((v) => toUnit(v, 255)));
    expectTypeOf(data).toEqualTypeOf<MedAdData>();
  });

  it('reads 16-bit PNGs exactly', async () => {
    const values = [0, 1, 255, 256, 257, 4095, 32767, 32768, 65534, 65535, 1234, 54321];
    const root = await makeFolder(
      { 'wide.png': encodeGrey16Png(values, 4, 3), 'square.png': encodeGrey16Png([0, 65535, 65535, 0], 2, 2) },
      { train: { '0': ['square.png'] }, test: { '0': ['wide.png'], '1': [] } },
    );

    const data = await loader.load(root, { imageSize: 2 });
    expect([...data.train.pixels]).toEqual([-1, 1, 1, -1]);

    // No resize at the native width: load the 4 x 3 image through a 4 x 4 copy padded with a known row.
    const padded = [...values, 7, 8, 9, 10];
    const exact = await makeFolder(
      { 'p.png': encodeGrey16Png(padded, 4, 4) },
      { train: { '0': ['p.png'] }, test: { '0': [], '1': [] } },
    );
    const loaded = await loader.load(exact, { imageSize: 4 });
    expect([...loaded.train.pixels]).toEqual(padded.map((v) => toUnit(v, 65535)));
  });

  it('converts RGB with BT.601 weights', async () => {
    const primaries: [number, number, number][] = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];
    const pilLuma = [76, 150, 29];
    const files: Record<string, Buffer> = {};
    for (const [i, colour] of primaries.entries()) {
      files[`c${i}.png`] = await solidRgb(colour, 'png');
      files[`c${i}.jpg`] = await solidRgb(colour, 'jpeg');
    }
    const root = await makeFolder(files, {
      train: { '0': ['c0.png', 'c1.png', 'c2.png'] },
      test: { '0': ['c0.jpg', 'c1.jpg'], '1': ['c2.jpg'] },
    });

    const data = await loader.load(root, { imageSize: 4 });

    for (let i = 0; i < 3; i++) {
      const png = data.train.pixels.subarray(i * 16, (i + 1) * 16);
      expect([...png], `PNG ${i}`).toEqual(new Array(16).fill(toUnit(pilLuma[i]!, 255)));
      const jpeg = data.test.pixels.subarray(i * 16, (i + 1) * 16);
      for (const value of jpeg) expect(Math.abs((value + 1) * 127.5 - pilLuma[i]!), `JPEG ${i}`).toBeLessThanOrEqual(1);
    }
  });

  it('resizes like Pillow bilinear', async () => {
    const { width, height } = pillow.input;
    const source: number[] = [];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) source.push((x * 37 + y * 91 + ((x * y) % 7) * 20) % 256);
    }
    const root = await makeFolder(
      { 'p.png': await grey8Png(source, width, height) },
      { train: { '0': ['p.png'] }, test: { '0': [], '1': [] } },
    );

    for (const reference of pillow.resize8.filter((r) => r.width === r.height)) {
      const data = await loader.load(root, { imageSize: reference.width });
      expect([...data.train.pixels], `size ${reference.width}`).toEqual(reference.pixels.map((v) => toUnit(v, 255)));
    }
  });

  it('scales extremes to exactly ±1', async () => {
    const root = await makeFolder(
      { 'g8.png': await grey8Png([0, 255, 0, 255], 2, 2), 'g16.png': encodeGrey16Png([65535, 0, 0, 65535], 2, 2) },
      { train: { '0': ['g8.png', 'g16.png'] }, test: { '0': [], '1': [] } },
    );

    const data = await loader.load(root, { imageSize: 2 });
    expect([...data.train.pixels]).toEqual([-1, 1, -1, 1, 1, -1, -1, 1]);
  });

  it('applies a custom intensity range', async () => {
    const root = await makeFolder(
      { 'a.png': await grey8Png([10, 15, 20, 5], 2, 2), 'b.png': await grey8Png([250, 30, 12, 10], 2, 2) },
      { train: { '0': ['a.png', 'b.png'] }, test: { '0': [], '1': [] } },
    );

    const data = await loader.load(root, { imageSize: 2, intensityRange: [10, 20] });
    expect([...data.train.pixels]).toEqual([-1, 0, 1, -1, 1, 1, toUnit(2, 10), -1]);
  });

  it('orders and labels test images', async () => {
    const png = await grey8Png([9], 1, 1);
    const root = await makeFolder(
      { 't.png': png, 'n1.png': png, 'n2.png': png, 'a1.png': png, 'u.png': png },
      { train: { '0': ['t.png'], unlabeled: { '0': ['u.png'] } }, test: { '1': ['a1.png'], '0': ['n1.png', 'n2.png'] } },
    );

    const data = await loader.load(root, { imageSize: 1 });
    expect(data.test.ids).toEqual(['n1.png', 'n2.png', 'a1.png']);
    expect([...data.test.labels]).toEqual([0, 0, 1]);
    expect(data.train.ids).toEqual(['t.png']);
    expect(data.test.size).toBe(1);
  });
});

describe('MedAdLoader errors', () => {
  const ok = { train: { '0': ['a.png'] }, test: { '0': [], '1': [] } };
  const fileA = async (): Promise<Record<string, Buffer>> => ({ 'a.png': await grey8Png([1, 2, 3, 4], 2, 2) });

  it('rejects missing data.json', async () => {
    const root = await makeFolder(await fileA(), undefined);
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow(`${path.join(root, 'data.json')} not found`);
  });

  it('rejects invalid JSON', async () => {
    const root = await makeFolder(await fileA(), '{"train": {"0": ["a.png"]},');
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow(
      new RegExp(`${path.join(root, 'data.json').replaceAll('/', '\\/')}: invalid JSON \\(.+\\)`),
    );
  });

  it('rejects wrong structure', async () => {
    const cases: [unknown, string][] = [
      [[], 'the top level must be an object'],
      [{ test: ok.test }, '"train" must be an object (found missing)'],
      [{ train: ok.train, test: { '0': [], '1': 'a.png' } }, '"test.1" must be an array of file names (found "a.png")'],
      [{ train: ok.train, test: { '0': [] } }, '"test.1" must be an array of file names (found missing)'],
      [{ train: { '0': ['a.png'], '1': [] }, test: ok.test }, 'unknown key "train.1"'],
      [{ train: { '0': ['a.png', 3] }, test: ok.test }, '"train.0[1]" must be a non-empty file name string, found 3'],
    ];
    for (const [json, message] of cases) {
      const root = await makeFolder(await fileA(), json);
      await expect(loader.load(root, { imageSize: 2 }), message).rejects.toThrow(`data.json: ${message}`);
    }
  });

  it('rejects missing images folder', async () => {
    const root = await makeFolder({}, ok);
    await rm(path.join(root, 'images'), { recursive: true });
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow(
      `${path.join(root, 'images')} not found or not a folder`,
    );
  });

  it('lists names without files', async () => {
    const missing = ['m1.png', 'm2.png', 'm3.png', 'm4.png', 'm5.png', 'm6.png', 'm7.png'];
    const root = await makeFolder(await fileA(), { train: { '0': ['a.png', ...missing.slice(0, 4)] }, test: { '0': missing.slice(4), '1': [] } });
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow(
      `lists 7 image(s) with no file in ${path.join(root, 'images')}: "m1.png", "m2.png", "m3.png", "m4.png", "m5.png", …`,
    );
  });

  it('rejects unreadable images', async () => {
    const root = await makeFolder({ 'a.png': Buffer.from('not an image') }, ok);
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow(
      new RegExp(`${path.join(root, 'images', 'a.png')}: cannot decode the image \\(.*unsupported image format.*\\)`),
    );
  });

  it('rejects truncated images', async () => {
    const whole = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const root = await makeFolder({ 'a.png': whole.subarray(0, whole.length >> 1) }, ok);
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow(
      new RegExp(`${path.join(root, 'images', 'a.png')}: cannot decode the image \\(.+\\)`),
    );
  });

  it('counts several bad images', async () => {
    const root = await makeFolder(
      { 'a.png': Buffer.from('x'), 'b.png': Buffer.from('y'), 'c.png': await grey8Png([1], 1, 1) },
      { train: { '0': ['c.png', 'b.png'] }, test: { '0': ['a.png'], '1': [] } },
    );
    const failure = loader.load(root, { imageSize: 2 });
    await expect(failure).rejects.toThrow(`2 image(s) in ${path.join(root, 'images')} failed to load:\n`);
    await expect(failure).rejects.toThrow(/b\.png: cannot decode the image.*\n.*a\.png: cannot decode the image/);
  });

  it('rejects names in two splits', async () => {
    const root = await makeFolder(await fileA(), { train: { '0': ['a.png'] }, test: { '0': [], '1': ['a.png'] } });
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow(
      'data.json: image "a.png" is listed in both "train.0" and "test.1"',
    );
  });

  it('rejects repeated names', async () => {
    const root = await makeFolder(await fileA(), { train: { '0': ['a.png', './a.png'] }, test: ok.test });
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow('image "./a.png" is listed twice in "train.0"');
  });

  it('rejects an empty train split', async () => {
    const root = await makeFolder(await fileA(), { train: { '0': [] }, test: { '0': ['a.png'], '1': [] } });
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow('data.json: "train.0" is empty');
  });

  it('rejects names escaping images', async () => {
    for (const name of ['../data.json', 'sub/../../x.png', '/etc/passwd']) {
      const root = await makeFolder(await fileA(), { train: { '0': ['a.png'] }, test: { '0': [name], '1': [] } });
      await expect(loader.load(root, { imageSize: 2 }), name).rejects.toThrow(
        `data.json: "test.0[0]" is ${JSON.stringify(name)}, which points outside the images folder`,
      );
    }
  });

  it('rejects invalid load options', async () => {
    const root = await makeFolder(await fileA(), ok);
    await expect(loader.load(root, { imageSize: 0 })).rejects.toThrow('imageSize must be a positive integer');
    await expect(loader.load(root, { imageSize: 2, intensityRange: [5, 5] })).rejects.toThrow(
      'intensityRange must be two finite numbers [low, high] with low < high, got [5,5]',
    );
  });
});
