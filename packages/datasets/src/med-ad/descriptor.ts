import type { LoaderDescriptor } from '@d2ue/core';

import { MedAdLoader } from './loader.js';
import { MedAdLoaderOptions } from './options.js';

/**
 * The `loader:med-ad` plug-in: reads `ROOT/data.json` and `ROOT/images/*` as laid out by the Med-AD benchmark.
 *
 * @example
 * const loader = medAdLoader.create(medAdLoader.options.parse({}));
 */
export const medAdLoader: LoaderDescriptor<typeof MedAdLoaderOptions> = {
  kind: 'loader',
  id: 'med-ad',
  summary: 'Med-AD folder (images/ + data.json): grey, bilinear resize, scaled to [-1, 1]',
  options: MedAdLoaderOptions,
  create: (options) => new MedAdLoader(options),
};
