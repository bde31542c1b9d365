import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

import {
  D2ueError,
  describeValue,
  type BuiltDataset,
  type DatasetBuilder,
  type DatasetContext,
} from '@d2ue/core';

import { buildFolderAtomically } from '../build-folder.js';
import { runConcurrently } from '../concurrency.js';
import { resizeBilinear } from '../image/resample.js';
import { readMnistSplit, type MnistSplit } from './idx.js';
import type { MnistOptions } from './options.js';
import { selectMnist } from './sample.js';

// PNG encoding runs on sharp's thread pool; a few files in flight keep it busy.
const WRITE_CONCURRENCY = 8;

/**
 * Writes a one-class MNIST set in the Med-AD layout: `normalClass` digits for training and as normal test images,
 * the other digits as anomalies. Images are 8-bit grey PNGs resized from 28 x 28 to the context's image size,
 * named `train_<index>_d<digit>.png` or `test_<index>_d<digit>.png` after their index in the MNIST file.
 *
 * @example
 * const built = await new MnistBuilder(MnistOptions.parse({}), { imageSize: 32, seed: '1' }).build('/tmp/mnist0');
 * @throws D2ueError `config` for a count larger than MNIST provides or an invalid image size.
 * @throws D2ueError `data` for damaged MNIST files.
 * @throws D2ueError `io` when the folder cannot be written, or exists and was not built by this builder.
 */
export class MnistBuilder implements DatasetBuilder {
  readonly id = 'mnist';

  constructor(
    private readonly options: MnistOptions,
    private readonly context: DatasetContext,
  ) {
    if (!Number.isInteger(context.imageSize) || context.imageSize < 1) {
      throw new D2ueError(
        'config',
        `imageSize must be a positive integer number of pixels, got ${describeValue(context.imageSize)}.`,
        { subject: 'imageSize' },
      );
    }
  }

  build(root: string): Promise<BuiltDataset> {
    const settings = { options: this.options, imageSize: this.context.imageSize, seed: this.context.seed };
    return buildFolderAtomically(root, this.id, settings, (folder) => this.write(folder));
  }

  private async write(folder: string): Promise<BuiltDataset['counts']> {
    const [trainFile, testFile] = await Promise.all([readMnistSplit('train'), readMnistSplit('t10k')]);
    const picked = selectMnist(trainFile.labels, testFile.labels, this.options, this.context.seed);

    const images = path.join(folder, 'images');
    await mkdir(images);

    const jobs = [
      ...picked.train.map((index) => ({ source: trainFile, index, prefix: 'train' })),
      ...picked.testNormal.map((index) => ({ source: testFile, index, prefix: 'test' })),
      ...picked.testAbnormal.map((index) => ({ source: testFile, index, prefix: 'test' })),
    ];
    const names = jobs.map((job) => `${job.prefix}_${String(job.index).padStart(5, '0')}_d${job.source.labels[job.index]}.png`);

    const failures = await runConcurrently(jobs.length, WRITE_CONCURRENCY, async (i) => {
      const job = jobs[i]!;
      await this.writePng(job.source, job.index, path.join(images, names[i]!));
    });
    if (failures.length > 0) {
      throw new D2ueError(
        'io',
        `${images}: failed to write ${failures.length} PNG file(s), first: ${(failures[0]!.error as Error).message}. ` +
          `Check the free disk space and permissions.`,
        { subject: images, cause: failures[0]!.error },
      );
    }

    const trainEnd = picked.train.length;
    const normalEnd = trainEnd + picked.testNormal.length;
    const dataJson = {
      train: { '0': names.slice(0, trainEnd) },
      test: { '0': names.slice(trainEnd, normalEnd), '1': names.slice(normalEnd) },
    };
    await writeFile(path.join(folder, 'data.json'), `${JSON.stringify(dataJson, null, 1)}\n`);

    return { train: picked.train.length, testNormal: picked.testNormal.length, testAbnormal: picked.testAbnormal.length };
  }

  private async writePng(source: MnistSplit, index: number, file: string): Promise<void> {
    const area = source.rows * source.columns;
    const digit = source.images.subarray(index * area, (index + 1) * area);
    const size = this.context.imageSize;
    const resized = resizeBilinear(digit, source.columns, source.rows, size, size, 8);

    await sharp(resized, { raw: { width: size, height: size, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(file);
  }
}
