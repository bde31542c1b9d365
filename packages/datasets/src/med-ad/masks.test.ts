import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import sharp from 'sharp';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';

import type { ImageSet } from '@d2ue/core';

import { BrainMriBuilder } from '../brain-mri/builder.js';
import { BrainMriOptions, MRICRON_TEMPLATES } from '../brain-mri/options.js';
import { MedAdLoader } from './loader.js';

const temporary: string[] = [];
afterAll(async () => {
  await Promise.all(temporary.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function tempFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), prefix));
  temporary.push(folder);
  return folder;
}

/** A grey 8-bit PNG of `width` x `height` whose pixel (x, y) is `value(x, y)`. */
function png(width: number, height: number, value: (x: number, y: number) => number): Promise<Buffer> {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = value(x, y);
  return sharp(pixels, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer();
}

const split = { train: { '0': ['a.png'] }, test: { '0': ['b.png', 'n.png'], '1': ['c.png', 'd.png'] } };

/**
 * A folder of 6x6 images (loaded at 2x2): masks for c.png (columns 0 and 1 set), d.png (one pixel set) and the
 * normal n.png (empty); b.png has none. `overrides` replaces or (with null) removes mask files.
 */
async function maskedFolder(overrides: Record<string, Buffer | null> = {}): Promise<string> {
  const root = await tempFolder('d2ue-masks-');
  await mkdir(path.join(root, 'images'));
  await mkdir(path.join(root, 'masks'));
  for (const name of ['a.png', 'b.png', 'n.png', 'c.png', 'd.png']) {
    await writeFile(path.join(root, 'images', name), await png(6, 6, (x, y) => (x * 40 + y * 3) % 256));
  }

  const masks: Record<string, Buffer | null> = {
    'c.png': await png(6, 6, (x) => (x < 2 ? 255 : 0)),
    'd.png': await png(6, 6, (x, y) => (x === 4 && y === 1 ? 255 : 0)),
    'n.png': await png(6, 6, () => 0),
    ...overrides,
  };
  for (const [name, bytes] of Object.entries(masks)) {
    if (bytes !== null) await writeFile(path.join(root, 'masks', name), bytes);
  }
  await writeFile(path.join(root, 'data.json'), JSON.stringify(split));
  return root;
}

function quietLoader(cache: string | false): MedAdLoader {
  return cache === false ? new MedAdLoader({ cache: false }, () => undefined) : new MedAdLoader({}, () => undefined, cache);
}

describe('MedAdLoader masks', () => {
  it('resizes and thresholds masks', async () => {
    const data = await quietLoader(false).load(await maskedFolder(), { imageSize: 2 });

    // 6 -> 2 px (Pillow bilinear, support 3): output column 0 weighs input columns 0..4 by 2/3, 1, 2/3, 1/3, 0,
    // so columns 0 and 1 set give (2/3 + 1) / (8/3) = 0.625 > 0.5; column 1 of the output sees neither.
    // d.png's single pixel gives at most 1 / (8/3)^2 of an output pixel, below half.
    expect([...data.test.masks!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
    expect(data.train.masks).toBeUndefined();
  });

  it('omits masks without a folder', async () => {
    const root = await maskedFolder();
    await rm(path.join(root, 'masks'), { recursive: true });
    const data = await quietLoader(false).load(root, { imageSize: 2 });
    expect(data.test.masks).toBeUndefined();
  });

  it('caches masks by content', async () => {
    const root = await maskedFolder();
    const cache = await tempFolder('d2ue-mask-cache-');
    const first = await quietLoader(cache).load(root, { imageSize: 2 });
    expect((await readdir(path.join(cache, 'decoded'))).filter((name) => name.endsWith('.masks.bin'))).toHaveLength(1);

    const second = await quietLoader(cache).load(root, { imageSize: 2 });
    expect([...second.test.masks!]).toEqual([...first.test.masks!]);

    // A changed mask file changes the key, so the cached masks are not reused.
    await writeFile(path.join(root, 'masks', 'c.png'), await png(6, 6, (x) => (x >= 3 ? 255 : 0)));
    const third = await quietLoader(cache).load(root, { imageSize: 2 });
    expect([...third.test.masks!.subarray(8, 12)]).toEqual([0, 1, 0, 1]);
  });

  it('rejects a mismatched mask size', async () => {
    const root = await maskedFolder({ 'c.png': await png(5, 6, () => 255) });
    await expect(quietLoader(false).load(root, { imageSize: 2 })).rejects.toThrow(
      `${path.join(root, 'masks', 'c.png')}: the mask is 5×6 pixels but its image ${path.join(root, 'images', 'c.png')} is 6×6; ` +
        `a mask must have its image's size. Export the mask at the image's size.`,
    );
  });

  it('names an unreadable mask', async () => {
    const root = await maskedFolder({ 'd.png': Buffer.from('not a png') });
    const file = path.join(root, 'masks', 'd.png');
    await expect(quietLoader(false).load(root, { imageSize: 2 })).rejects.toThrow(
      new RegExp(`^${file.replaceAll('.', '\\.')}: cannot read the mask \\(.+\\)\\. A mask is a PNG with its image's size`),
    );
  });

  it('requires masks for abnormal images', async () => {
    const root = await maskedFolder({ 'd.png': null });
    await expect(quietLoader(false).load(root, { imageSize: 2 })).rejects.toThrow(
      `${path.join(root, 'masks')}: 1 of 2 abnormal test image(s) ("test.1") have no mask file: "d.png". Pixel metrics ` +
        'need a mask for every abnormal image; add masks/<image name> for each, or remove the masks folder to skip pixel metrics.',
    );
  });

  it('types masks as bytes', () => {
    expectTypeOf<ImageSet['masks']>().toEqualTypeOf<Uint8Array | undefined>();
  });
});

const hasColin = existsSync(path.join(MRICRON_TEMPLATES, 'ch2.nii.gz')) && existsSync(path.join(MRICRON_TEMPLATES, 'ch2bet.nii.gz'));

describe('BrainMriBuilder masks', () => {
  // NOTE: needs Debian's mricron-data (installed by .ci/run); without it this case is skipped.
  it.skipIf(!hasColin)('marks lesions only', async () => {
    const root = path.join(await tempFolder('d2ue-brain-masks-'), 'brain');
    await new BrainMriBuilder(BrainMriOptions.parse({}), { imageSize: 32, seed: '1' }).build(root);
    const { test } = await quietLoader(false).load(root, { imageSize: 32 });

    const area = 32 * 32;
    const marked = test.ids.map((_, index) => test.masks!.subarray(index * area, (index + 1) * area).reduce((a, b) => a + b, 0));
    const normal = marked.filter((_, index) => test.labels[index] === 0);
    const abnormal = marked.filter((_, index) => test.labels[index] === 1);
    expect(normal.every((count) => count === 0)).toBe(true);
    expect(abnormal.every((count) => count > 0 && count < area / 4)).toBe(true);
  });
});
