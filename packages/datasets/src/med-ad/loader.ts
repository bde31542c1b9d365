import path from 'node:path';

import {
  cacheDir,
  D2ueError,
  describeValue,
  type DatasetLoader,
  type ImageSet,
  type LoadOptions,
  type MedAdData,
} from '@d2ue/core';

import { readSplits, type MedAdSplits } from './data-json.js';
import { decodeCacheFile, decodeCacheKey, readDecodeCache, writeDecodeCache, type ResizedImages } from './decode-cache.js';
import { checkImageFiles } from './files.js';
import { loadImageFiles } from './image-files.js';
import { maskCacheFile, maskCacheKey, readMaskCache, writeMaskCache } from './mask-cache.js';
import { decodeMasks, findMaskFiles, hasMaskFolder } from './masks.js';
import { MedAdLoaderOptions } from './options.js';
import { findPatientLeaks, PATIENTS_FILE, patientLeakWarning, readPatients } from './patients.js';
import { decodeResized, scaleResized } from './resized.js';

/** Receives the loader's warnings: problems that do not stop loading but that a user should see. */
export type WarningSink = (message: string) => void;

/** The default {@link WarningSink}: one line on stderr, so stdout stays free for results. */
export const warnOnStderr: WarningSink = (message) => {
  process.stderr.write(`d2ue: warning: ${message}\n`);
};

/**
 * Reads a Med-AD folder: `root/data.json` names the splits and `root/images` contains the PNG or JPEG files.
 * Images become grey (BT.601 luma for colour files), are resized bilinearly with antialiasing to
 * `imageSize` x `imageSize`, and scaled to [-1, 1]. When `root/masks` exists, the test split gets `masks`: each
 * test image's `masks/<name>` (non-zero = anomaly) resized the same way and thresholded at half; a normal test
 * image without a mask file gets an all-zero mask.
 *
 * @example
 * const data = await new MedAdLoader().load('/data/rsna', { imageSize: 64 });
 *
 * The resized images are cached under the d2ue cache folder, keyed by a hash of the file contents and the image
 * size (option `cache`). Colour images and patients on both sides of the split (from `patients.json`) are
 * reported once per load through `warn`.
 *
 * @throws D2ueError `config` for an invalid image size or intensity range; `data` for a folder that breaks the
 * layout (see `readSplits` and `checkImageFiles`), a test split without both classes (unless
 * `requireBothClasses` is off), a bad `patients.json`, an image that fails to decode, or (with `masks/`) an
 * abnormal test image without a mask, an unreadable mask, or a mask whose size differs from its image's.
 */
export class MedAdLoader implements DatasetLoader {
  private readonly options: MedAdLoaderOptions;

  /**
   * @param options Loader options; each one left out takes its schema default.
   * @param warn Where warnings go; stderr by default.
   * @param cacheRoot The d2ue cache folder; `cacheDir()` at load time by default.
   */
  constructor(
    options: Partial<MedAdLoaderOptions> = {},
    private readonly warn: WarningSink = warnOnStderr,
    private readonly cacheRoot?: string,
  ) {
    this.options = MedAdLoaderOptions.parse(options);
  }

  /** Reads both splits of the Med-AD folder `root` (see {@link DatasetLoader.load}). */
  async load(root: string, options: LoadOptions): Promise<MedAdData> {
    checkLoadOptions(options);

    const splits = await readSplits(root);
    if (this.options.requireBothClasses) requireBothClasses(root, splits);

    // One pass over both splits, so a decode error lists every bad image at once.
    const names = [...splits.train, ...splits.testNormal, ...splits.testAbnormal];
    await checkImageFiles(root, names);

    const patients = await readPatients(root);
    if (patients !== null) {
      const leaks = findPatientLeaks(splits, patients);
      if (leaks.length > 0) this.warn(patientLeakWarning(path.join(root, PATIENTS_FILE), leaks));
    }

    const { images, key } = await this.resizedImages(path.join(root, 'images'), names, options.imageSize);
    warnColour(root, names, images, this.warn);

    const labels = new Uint8Array(names.length);
    labels.fill(1, splits.train.length + splits.testNormal.length);
    const all: ImageSet = { ids: names, labels, pixels: scaleResized(images, options.intensityRange), size: options.imageSize };

    const train = sliceImageSet(all, 0, splits.train.length);
    const test = sliceImageSet(all, splits.train.length, names.length);
    const masks = await this.testMasks(root, splits, options.imageSize, key);

    return { train, test: masks === undefined ? test : { ...test, masks } };
  }

  /**
   * Decodes single image files as {@link MedAdLoader.load} decodes a folder's images (for `d2ue score`).
   *
   * @example
   * const set = await new MedAdLoader().loadImages(['scan.png'], { imageSize: 64 });
   * @throws D2ueError `config` for invalid options; `data` for a path that is not a file or fails to decode.
   */
  async loadImages(files: readonly string[], options: LoadOptions): Promise<ImageSet> {
    checkLoadOptions(options);
    return loadImageFiles(files, options.imageSize, options.intensityRange);
  }

  /**
   * Returns the decoded and resized images, from the cache when it contains this exact set of files at this size,
   * with the cache key (null when caching is off).
   */
  private async resizedImages(folder: string, names: readonly string[], size: number): Promise<{ images: ResizedImages; key: string | null }> {
    if (!this.options.cache) return { images: await decodeResized(folder, names, size), key: null };

    const key = await decodeCacheKey(folder, names, size);
    const file = decodeCacheFile(this.cacheRoot ?? cacheDir(), key);
    const cached = await readDecodeCache(file, names.length, size);
    if (cached !== null) return { images: cached, key };

    const images = await decodeResized(folder, names, size);
    try {
      await writeDecodeCache(file, images);
    } catch (error) {
      // A read-only cache only costs speed, so it is a warning.
      this.warn(`${(error as Error).message}; the next load decodes the images again. Set D2UE_CACHE to a writable folder.`);
    }
    return { images, key };
  }

  /**
   * Loads the 0/1 pixel masks of the test split (`test.0` then `test.1`) when `root/masks` exists, else returns
   * undefined. They are cached next to the images, keyed by the images' cache key and the mask files' hashes.
   */
  private async testMasks(root: string, splits: MedAdSplits, size: number, imageKey: string | null): Promise<Uint8Array | undefined> {
    if (!(await hasMaskFolder(root))) return undefined;

    const names = [...splits.testNormal, ...splits.testAbnormal];
    const files = await findMaskFiles(root, splits.testNormal, splits.testAbnormal);
    const folder = path.join(root, 'images');
    if (imageKey === null) return decodeMasks(folder, names, files, size);

    const file = maskCacheFile(this.cacheRoot ?? cacheDir(), await maskCacheKey(imageKey, files));
    const cached = await readMaskCache(file, names.length, size);
    if (cached !== null) return cached;

    const masks = await decodeMasks(folder, names, files, size);
    try {
      await writeMaskCache(file, masks, names.length, size);
    } catch (error) {
      this.warn(`${(error as Error).message}; the next load decodes the masks again. Set D2UE_CACHE to a writable folder.`);
    }
    return masks;
  }
}

/** Throws when `test.0` or `test.1` is empty: image AUROC and AP need normal and abnormal test images. */
function requireBothClasses(root: string, splits: MedAdSplits): void {
  const file = path.join(root, 'data.json');
  const missing: [string, string][] = [];
  if (splits.testNormal.length === 0) missing.push(['test.0', 'normal']);
  if (splits.testAbnormal.length === 0) missing.push(['test.1', 'abnormal']);
  if (missing.length === 0) return;

  const fields = missing.map(([field]) => `"${field}"`).join(' and ');
  const kinds = missing.map(([, kind]) => kind).join(' and ');
  throw new D2ueError(
    'data',
    `${file}: ${fields} ${missing.length > 1 ? 'are' : 'is'} empty, so the test split has no ${kinds} images; ` +
      `image AUROC and AP need both classes. Add ${kinds} test images, or load with requireBothClasses: false ` +
      `for a folder meant for training only.`,
    { subject: `${file}:${missing[0]![0]}` },
  );
}

/** Warns once per load when some images were colour and became grey. */
function warnColour(root: string, names: readonly string[], images: ResizedImages, warn: WarningSink): void {
  const colour = names.filter((_, index) => images.colour[index] === 1);
  if (colour.length === 0) return;

  const first = colour
    .slice(0, 3)
    .map((name) => `"${name}"`)
    .join(', ');
  warn(
    `${path.join(root, 'images')}: ${colour.length} of ${names.length} image(s) are colour (${first}` +
      `${colour.length > 3 ? ', …' : ''}); they were converted to grey with the ITU-R 601 luma weights of PIL's "L" mode.`,
  );
}

/** Images `start` to `end` of `set`; the pixels share the buffer of `set`. */
function sliceImageSet(set: ImageSet, start: number, end: number): ImageSet {
  const area = set.size * set.size;
  return {
    ids: set.ids.slice(start, end),
    labels: set.labels.subarray(start, end),
    pixels: set.pixels.subarray(start * area, end * area),
    size: set.size,
  };
}

function checkLoadOptions(options: LoadOptions): void {
  if (!Number.isInteger(options.imageSize) || options.imageSize < 1) {
    throw new D2ueError(
      'config',
      `imageSize must be a positive integer number of pixels, got ${describeValue(options.imageSize)}.`,
      { subject: 'imageSize' },
    );
  }

  const range = options.intensityRange;
  if (range !== undefined) {
    const [low, high] = range;
    if (range.length !== 2 || !Number.isFinite(low) || !Number.isFinite(high) || low >= high) {
      throw new D2ueError(
        'config',
        `intensityRange must be two finite numbers [low, high] with low < high, got ${describeValue(range)}.`,
        { subject: 'intensityRange' },
      );
    }
  }
}
