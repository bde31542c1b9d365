import { stat } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

import { D2ueError } from '@d2ue/core';

import { runConcurrently } from '../concurrency.js';
import { decodeGrey, type GreyImage } from '../image/decode.js';
import { resizeBilinear } from '../image/resample.js';

/** The folder of pixel masks inside a Med-AD folder: `masks/<image name>`, the same relative names as `images/`. */
export const MASKS_FOLDER = 'masks';

// Masks are small; as many files in flight as the image decoder uses.
const MASK_CONCURRENCY = 8;

// A resized 8-bit mask (0 or 255 before resizing) is foreground where it is above half of 255.
const HALF = 127;

/**
 * True when `root/masks` is a folder, so the test split carries pixel masks.
 *
 * @example
 * if (await hasMaskFolder('/data/brain')) { ... }
 */
export async function hasMaskFolder(root: string): Promise<boolean> {
  return stat(path.join(root, MASKS_FOLDER)).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

/**
 * Finds the mask file of each test image, or null for a normal image without one. Every abnormal image (`test.1`) needs a
 * mask: without one its anomaly would count as normal pixels.
 *
 * @example
 * const files = await findMaskFiles('/data/brain', ['a.png'], ['b.png']); // [null, '/data/brain/masks/b.png']
 * @throws D2ueError `data` giving the count and the first 5 abnormal images without a mask file.
 */
export async function findMaskFiles(
  root: string,
  testNormal: readonly string[],
  testAbnormal: readonly string[],
): Promise<(string | null)[]> {
  const folder = path.join(root, MASKS_FOLDER);
  const names = [...testNormal, ...testAbnormal];
  const files: (string | null)[] = new Array<string | null>(names.length).fill(null);

  const failures = await runConcurrently(names.length, MASK_CONCURRENCY * 8, async (index) => {
    const file = path.join(folder, names[index]!);
    const isFile = await stat(file).then(
      (info) => info.isFile(),
      () => false,
    );
    if (isFile) files[index] = file;
  });
  if (failures.length > 0) throw failures[0]!.error;

  const missing = testAbnormal.filter((_, index) => files[testNormal.length + index] === null);
  if (missing.length > 0) {
    const firstFive = missing
      .slice(0, 5)
      .map((name) => `"${name}"`)
      .join(', ');
    throw new D2ueError(
      'data',
      `${folder}: ${missing.length} of ${testAbnormal.length} abnormal test image(s) ("test.1") have no mask file: ${firstFive}` +
        `${missing.length > 5 ? ', …' : ''}. Pixel metrics need a mask for every abnormal image; add masks/<image name> ` +
        `for each, or remove the masks folder to skip pixel metrics.`,
      { subject: folder },
    );
  }

  return files;
}

/**
 * Decodes the masks of `names` to 0/1 at `size` x `size`. `files[i]` is the mask of `names[i]`, and null gives an
 * all-zero mask. Non-zero mask pixels are the anomaly. The binary mask is resized as 0/255 with the images' resampler
 * (Pillow bilinear with antialiasing) and thresholded at half, so mask and image stay aligned.
 *
 * @example
 * const masks = await decodeMasks('/data/brain/images', ['a.png'], ['/data/brain/masks/a.png'], 64);
 * @throws D2ueError `data` when masks cannot be decoded or differ in size from their images, giving the count and
 * the first 5 messages, each naming its file.
 */
export async function decodeMasks(
  imageFolder: string,
  names: readonly string[],
  files: readonly (string | null)[],
  size: number,
): Promise<Uint8Array> {
  const area = size * size;
  const masks = new Uint8Array(names.length * area);

  const failures = await runConcurrently(names.length, MASK_CONCURRENCY, async (index) => {
    const file = files[index];
    if (file === null || file === undefined) return;

    const mask = await decodeMask(file);
    const imageFile = path.join(imageFolder, names[index]!);
    const image = await imageDimensions(imageFile);
    if (mask.width !== image.width || mask.height !== image.height) {
      throw new D2ueError(
        'data',
        `${file}: the mask is ${mask.width}×${mask.height} pixels but its image ${imageFile} is ${image.width}×${image.height}; ` +
          `a mask must have its image's size. Export the mask at the image's size.`,
        { subject: file },
      );
    }

    const binary = Uint8Array.from(mask.pixels, (value) => (value > 0 ? 255 : 0));
    const resized = resizeBilinear(binary, mask.width, mask.height, size, size, 8);
    for (let i = 0; i < area; i++) masks[index * area + i] = resized[i]! > HALF ? 1 : 0;
  });

  if (failures.length > 0) {
    const first = failures[0]!.error;
    if (failures.length === 1 && first instanceof D2ueError) throw first;
    const reasons = failures.slice(0, 5).map((failure) => (failure.error as Error).message);
    const more = failures.length > 5 ? ` (and ${failures.length - 5} more)` : '';
    throw new D2ueError('data', `${failures.length} mask(s) failed to load${more}:\n${reasons.join('\n')}`, {
      subject: files[failures[0]!.index] ?? imageFolder,
      cause: first,
    });
  }

  return masks;
}

/** Decodes a mask file, with an error that states what a mask must be. */
async function decodeMask(file: string): Promise<GreyImage> {
  try {
    return await decodeGrey(file);
  } catch (error) {
    // decodeGrey's message explains how to fix an image, so only the decoder's reason is kept.
    const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const reason = inner instanceof Error ? inner.message.trim().replace(`${file}: `, '') : String(inner);
    throw new D2ueError('data', `${file}: cannot read the mask (${reason}). A mask is a PNG with its image's size, non-zero inside the anomaly.`, {
      subject: file,
      cause: error,
    });
  }
}

/** Reads the stored width and height of an image file from its header. */
async function imageDimensions(file: string): Promise<{ width: number; height: number }> {
  try {
    const { width, height } = await sharp(file).metadata();
    if (width !== undefined && height !== undefined) return { width, height };
  } catch {
    // Fall through to the error below, which names the file.
  }
  throw new D2ueError('data', `${file}: cannot read the image size to check its mask. Replace the file with a valid PNG or JPEG.`, {
    subject: file,
  });
}
