import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import sharp from 'sharp';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';

import { encodeGrey16Png } from '../image/__fixtures__/png16.js';
import { decodeGrey } from '../image/decode.js';
import { medAdLoader } from './descriptor.js';
import { MedAdLoader } from './loader.js';
import { MedAdLoaderOptions } from './options.js';

// Pillow 9.4 `convert('L')` of an RGB pattern, written by ../image/__fixtures__/make_fixtures.py.
const pillow = JSON.parse(readFileSync(new URL('../image/__fixtures__/pillow.json', import.meta.url), 'utf8')) as {
  luma: { width: number; height: number; pixels: number[] };
};

const temporary: string[] = [];
afterAll(async () => {
  await Promise.all(temporary.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function tempFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), prefix));
  temporary.push(folder);
  return folder;
}

async function makeFolder(files: Record<string, Buffer>, dataJson: unknown, extra: Record<string, unknown> = {}): Promise<string> {
  const root = await tempFolder('d2ue-med-ad-checks-');
  await mkdir(path.join(root, 'images'));
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(root, 'images', name), bytes);
  await writeFile(path.join(root, 'data.json'), JSON.stringify(dataJson));
  for (const [name, json] of Object.entries(extra)) {
    await writeFile(path.join(root, name), typeof json === 'string' ? json : JSON.stringify(json));
  }
  return root;
}

function grey8(values: readonly number[], side: number): Promise<Buffer> {
  return sharp(Uint8Array.from(values), { raw: { width: side, height: side, channels: 1 } }).toColourspace('b-w').png().toBuffer();
}

function rgbPattern(width: number, height: number): Promise<Buffer> {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      rgb[at] = (x * 53 + y * 17) % 256;
      rgb[at + 1] = (x * 29 + y * 71 + 5) % 256;
      rgb[at + 2] = (x * 11 + y * 43 + 200) % 256;
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** A loader that collects its warnings and caches into its own folder. */
async function collectingLoader(options: Partial<MedAdLoaderOptions> = {}): Promise<{ loader: MedAdLoader; warnings: string[]; cache: string }> {
  const warnings: string[] = [];
  const cache = await tempFolder('d2ue-cache-');
  return { loader: new MedAdLoader(options, (message) => warnings.push(message), cache), warnings, cache };
}

const balanced = { train: { '0': ['a.png'] }, test: { '0': ['b.png'], '1': ['c.png'] } };
async function threeGreyFiles(): Promise<Record<string, Buffer>> {
  return { 'a.png': await grey8([0, 50, 100, 150], 2), 'b.png': await grey8([10, 20, 30, 40], 2), 'c.png': await grey8([255, 0, 255, 0], 2) };
}

describe('MedAdLoader precision', () => {
  it('keeps 12-bit values in 16-bit PNGs', async () => {
    const values = [0, 1, 2048, 4095];
    const file = path.join(await tempFolder('d2ue-png16-'), 'ct.png');
    await writeFile(file, encodeGrey16Png(values, 2, 2));
    const image = await decodeGrey(file);
    expect(image.depth).toBe(16);
    expect(Math.max(...image.pixels)).toBe(4095);
    expect([...image.pixels]).toEqual(values);

    const root = await makeFolder({ 'a.png': encodeGrey16Png(values, 2, 2), 'b.png': encodeGrey16Png(values, 2, 2), 'c.png': encodeGrey16Png(values, 2, 2) }, balanced);
    const { loader } = await collectingLoader();
    const data = await loader.load(root, { imageSize: 2, intensityRange: [0, 4095] });
    expect([...data.train.pixels]).toEqual(values.map((v) => Math.fround((v / 4095) * 2 - 1)));
  });

  it('converts RGB like PIL L', async () => {
    const { width, height, pixels } = pillow.luma;
    const file = path.join(await tempFolder('d2ue-rgb-'), 'rgb.png');
    await writeFile(file, await rgbPattern(width, height));
    const image = await decodeGrey(file);
    expect(image.colour).toBe(true);
    expect([...image.pixels]).toEqual(pixels);
  });
});

describe('MedAdLoader warnings', () => {
  it('warns once about colour', async () => {
    const files = { ...(await threeGreyFiles()), 'b.png': await rgbPattern(4, 4), 'c.png': await rgbPattern(3, 3) };
    const root = await makeFolder(files, balanced);
    const { loader, warnings } = await collectingLoader();
    await loader.load(root, { imageSize: 2 });
    expect(warnings).toEqual([
      `${path.join(root, 'images')}: 2 of 3 image(s) are colour ("b.png", "c.png"); they were converted to grey with ` +
        `the ITU-R 601 luma weights of PIL's "L" mode.`,
    ]);

    // The cached second load still reports the colour files, once.
    await loader.load(root, { imageSize: 2 });
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toBe(warnings[0]);
  });

  it('warns about patient leaks', async () => {
    const patients = { 'a.png': 'P7', 'b.png': 'P7', 'c.png': 'P9' };
    const root = await makeFolder(await threeGreyFiles(), balanced, { 'patients.json': patients });
    const { loader, warnings } = await collectingLoader();
    await loader.load(root, { imageSize: 2 });
    expect(warnings).toEqual([
      `${path.join(root, 'patients.json')}: 1 patient(s) have images in both train and test, e.g. P7 (train "a.png", ` +
        `test "b.png"). Test scores will be optimistic; split the images by patient.`,
    ]);
  });

  it('stays quiet for clean folders', async () => {
    const patients = { 'a.png': 'P1', 'b.png': 'P2', 'c.png': 'P2' };
    const root = await makeFolder(await threeGreyFiles(), balanced, { 'patients.json': patients });
    const { loader, warnings } = await collectingLoader();
    await loader.load(root, { imageSize: 2 });
    expect(warnings).toEqual([]);
  });

  it('rejects a bad patients.json', async () => {
    const { loader } = await collectingLoader();
    const notJson = await makeFolder(await threeGreyFiles(), balanced, { 'patients.json': '{"a.png": ' });
    await expect(loader.load(notJson, { imageSize: 2 })).rejects.toThrow(`${path.join(notJson, 'patients.json')}: invalid JSON`);

    const badEntry = await makeFolder(await threeGreyFiles(), balanced, { 'patients.json': { 'a.png': 12 } });
    await expect(loader.load(badEntry, { imageSize: 2 })).rejects.toThrow(
      `${path.join(badEntry, 'patients.json')}: "a.png" must map to a non-empty patient id string, found 12.`,
    );
  });
});

describe('MedAdLoader class check', () => {
  it('rejects a normal-only test split', async () => {
    const root = await makeFolder(await threeGreyFiles(), { train: { '0': ['a.png'] }, test: { '0': ['b.png', 'c.png'], '1': [] } });
    const { loader } = await collectingLoader();
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow(
      `${path.join(root, 'data.json')}: "test.1" is empty, so the test split has no abnormal images; image AUROC and AP need both classes.`,
    );
  });

  it('rejects an empty test split', async () => {
    const root = await makeFolder(await threeGreyFiles(), { train: { '0': ['a.png'] }, test: { '0': [], '1': [] } });
    const { loader } = await collectingLoader();
    await expect(loader.load(root, { imageSize: 2 })).rejects.toThrow(
      `data.json: "test.0" and "test.1" are empty, so the test split has no normal and abnormal images`,
    );
  });

  it('allows one class when asked', async () => {
    const root = await makeFolder(await threeGreyFiles(), { train: { '0': ['a.png'] }, test: { '0': ['b.png'], '1': [] } });
    const { loader } = await collectingLoader({ requireBothClasses: false });
    const data = await loader.load(root, { imageSize: 2 });
    expect(data.test.ids).toEqual(['b.png']);
  });
});

describe('MedAdLoader decode cache', () => {
  it('reuses and invalidates the cache', async () => {
    const files = await threeGreyFiles();
    const root = await makeFolder(files, balanced);
    const { loader, cache } = await collectingLoader();
    const first = await loader.load(root, { imageSize: 2 });
    const cacheFiles = await readdir(path.join(cache, 'decoded'));
    expect(cacheFiles).toHaveLength(1);

    // Overwrite the first cached value of a.png (0) with 255: a load that reads the cache returns it.
    const cacheFile = path.join(cache, 'decoded', cacheFiles[0]!);
    const bytes = await readFile(cacheFile);
    const valuesStart = bytes.length - 3 * 4 * 2;
    bytes.writeUInt16LE(255, valuesStart);
    await writeFile(cacheFile, bytes);
    const second = await loader.load(root, { imageSize: 2 });
    expect(second.train.pixels[0]).toBe(1);
    expect([...second.test.pixels]).toEqual([...first.test.pixels]);

    // Changing one file's content changes the key, so that load decodes again.
    await writeFile(path.join(root, 'images', 'a.png'), await grey8([1, 50, 100, 150], 2));
    const third = await loader.load(root, { imageSize: 2 });
    expect(third.train.pixels[0]).toBe(Math.fround((1 / 255) * 2 - 1));
    expect(await readdir(path.join(cache, 'decoded'))).toHaveLength(2);
  });

  it('ignores a damaged cache file', async () => {
    const root = await makeFolder(await threeGreyFiles(), balanced);
    const { loader, cache } = await collectingLoader();
    const first = await loader.load(root, { imageSize: 2 });
    const [name] = await readdir(path.join(cache, 'decoded'));
    await writeFile(path.join(cache, 'decoded', name!), 'truncated');
    const second = await loader.load(root, { imageSize: 2 });
    expect([...second.train.pixels]).toEqual([...first.train.pixels]);
  });

  it('skips the cache when off', async () => {
    const root = await makeFolder(await threeGreyFiles(), balanced);
    const { loader, cache } = await collectingLoader({ cache: false });
    await loader.load(root, { imageSize: 2 });
    await expect(readdir(path.join(cache, 'decoded'))).rejects.toThrow(/ENOENT/);
  });
});

describe('medAdLoader options', () => {
  it('round-trips its defaults', () => {
    const parsed = medAdLoader.options.parse({});
    expect(parsed).toEqual({ cache: true, requireBothClasses: true });
    expect(medAdLoader.options.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    expectTypeOf(parsed).toEqualTypeOf<MedAdLoaderOptions>();
  });

  it('rejects unknown options', () => {
    expect(() => medAdLoader.options.parse({ cache: true, requireBoth: false })).toThrow(/requireBoth/);
  });
});
