import { access } from 'node:fs/promises';

import { D2ueError, describeValue, type BuiltDataset, type DatasetBuilder, type DatasetContext } from '@d2ue/core';

import { buildFolderAtomically } from '../build-folder.js';
import { readVolumes, writeSlices } from '../nifti/prepare-nifti.js';
import { MRICRON_TEMPLATES, type BrainMriOptions } from './options.js';

/**
 * Writes a Med-AD folder from one real T1 brain MRI (Colin27, `ch2.nii.gz` from Debian's `mricron-data`):
 * axial slices with enough brain, interleaved into train and normal test slices, and `lesionsPerSlice`
 * copies of each test slice with synthetic lesions inside the brain mask as the abnormal images, with pixel
 * masks in `masks/`. NOTE: the anomalies are synthetic lesions in one healthy brain, not patient pathology.
 *
 * @example
 * await new BrainMriBuilder(BrainMriOptions.parse({}), { imageSize: 64, seed: '8' }).build('/tmp/brain');
 * @throws D2ueError `data` when the volume or mask is missing (naming the Debian package to install) or
 * unreadable; `io` when the folder cannot be written.
 */
export class BrainMriBuilder implements DatasetBuilder {
  readonly id = 'brain-mri';

  constructor(
    private readonly options: BrainMriOptions,
    private readonly context: DatasetContext,
  ) {
    if (!Number.isInteger(context.imageSize) || context.imageSize < 1) {
      throw new D2ueError('config', `imageSize must be a positive integer number of pixels, got ${describeValue(context.imageSize)}.`, {
        subject: 'imageSize',
      });
    }
  }

  async build(root: string): Promise<BuiltDataset> {
    for (const file of [this.options.volume, this.options.mask]) await requireFile(file);

    const settings = { options: this.options, imageSize: this.context.imageSize, seed: this.context.seed };
    return buildFolderAtomically(root, this.id, settings, async (folder) => {
      const { volume, mask } = await readVolumes(this.options.volume, this.options.mask);
      const counts = await writeSlices(
        volume,
        mask,
        {
          axis: this.options.axis,
          minTissue: this.options.minTissue,
          size: this.context.imageSize,
          bits: 8,
          lesions: this.options.lesionsPerSlice,
          seed: this.context.seed,
        },
        folder,
      );
      return { train: counts.train, testNormal: counts.testNormal, testAbnormal: counts.testAbnormal };
    });
  }
}

async function requireFile(file: string): Promise<void> {
  try {
    await access(file);
  } catch {
    const fromDebian = file.startsWith(MRICRON_TEMPLATES);
    throw new D2ueError(
      'data',
      `${file} not found. ` +
        (fromDebian
          ? `The brain-MRI demo uses the Colin27 brain from Debian's "mricron-data" package: run "apt-get install mricron-data".`
          : 'Check the "volume" and "mask" options of the brain-mri builder.'),
      { subject: file },
    );
  }
}
