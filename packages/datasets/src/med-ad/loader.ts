import path from 'node:path';

import { D2ueError, describeValue, type DatasetLoader, type ImageSet, type LoadOptions, type MedAdData } from '@d2ue/core';

import { readSplits } from './data-json.js';
import { checkImageFiles } from './files.js';
import { loadImageSet } from './image-set.js';

/**
 * Reads a Med-AD folder: `root/data.json` names the splits and `root/images` contains the PNG or JPEG files.
 * Images become grey (BT.601 luma for colour files), are resized bilinearly with antialiasing to
 * `imageSize` x `imageSize`, and scaled to [-1, 1].
 *
 * @example
 * const data = await new MedAdLoader().load('/data/rsna', { imageSize: 64 });
 * @throws D2ueError `config` for an invalid image size or intensity range; `data` for a folder that breaks the
 * layout (see `readSplits` and `checkImageFiles`) or an image that fails to decode.
 */
export class MedAdLoader implements DatasetLoader {
  async load(root: string, options: LoadOptions): Promise<MedAdData> {
    checkLoadOptions(options);

    const splits = await readSplits(root);

    // One pass over both splits, so a decode error lists every bad image at once.
    const names = [...splits.train, ...splits.testNormal, ...splits.testAbnormal];
    await checkImageFiles(root, names);

    const labels = new Uint8Array(names.length);
    labels.fill(1, splits.train.length + splits.testNormal.length);
    const all = await loadImageSet(
      path.join(root, 'images'),
      names,
      labels,
      options.imageSize,
      options.intensityRange,
    );

    const train = sliceImageSet(all, 0, splits.train.length);
    const test = sliceImageSet(all, splits.train.length, names.length);

    return { train, test };
  }
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
