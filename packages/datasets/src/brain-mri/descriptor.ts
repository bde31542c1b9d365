import type { DatasetDescriptor } from '@d2ue/core';

import { BrainMriBuilder } from './builder.js';
import { BrainMriOptions } from './options.js';

/**
 * The `dataset:brain-mri` plug-in: axial slices of one real T1 brain MRI (Colin27 from Debian's `mricron-data`)
 * with synthetic hyper- and hypo-intense lesions as the anomalies, written as a Med-AD folder with pixel masks.
 *
 * @example
 * const builder = brainMriBuilder.create(brainMriBuilder.options.parse({}), { imageSize: 64, seed: '8' });
 */
export const brainMriBuilder: DatasetDescriptor<typeof BrainMriOptions> = {
  kind: 'dataset',
  id: 'brain-mri',
  summary: 'Colin27 T1 brain MRI (mricron-data) slices; anomalies are synthetic lesions with pixel masks',
  options: BrainMriOptions,
  create: (options, context) => new BrainMriBuilder(options, context),
};
