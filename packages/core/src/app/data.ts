import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { DependencyContainer } from 'tsyringe';

import { parsePluginOptions } from '../config/plugin-options.js';
import { D2ueError } from '../errors.js';
import type { Config } from '../config/schema.js';
import { resolveDescriptor } from '../container.js';
import type { MedAdData } from '../contracts/dataset.js';
import { deriveSeed } from '../random.js';
import { hashBytes } from '../run/hash.js';

/** Returns the folder built datasets are cached in: `$D2UE_CACHE`, or `.d2ue-cache` in the working folder. */
export function cacheDir(): string {
  return resolve(process.env.D2UE_CACHE ?? '.d2ue-cache');
}

/**
 * The Med-AD folder a config's `data` section points at: `data.root` as given, or the folder `data.builder`
 * makes (cached by a hash of the builder, its options, the image size and the seed).
 */
export async function resolveDataRoot(config: Config, container: DependencyContainer, imageSize: number): Promise<string> {
  const { data } = config;
  if (data.root !== undefined) {
    const root = resolve(data.root);
    if (!existsSync(root)) {
      throw new D2ueError(
        'data',
        `data.root: the folder ${root} does not exist (relative roots resolve from the working folder, ${process.cwd()}). ` +
          'Point data.root at a Med-AD folder with images/ and data.json, e.g. --set data.root=/data/Med-AD/RSNA.',
        { subject: 'data.root' },
      );
    }
    return root;
  }

  const descriptor = resolveDescriptor(container, 'dataset', data.builder!, 'data.builder');
  const options = parsePluginOptions(descriptor, { ...data }, 'data', ['builder', 'root', 'intensityRange']);
  // NOTE: builders sample with the run seed, so two seeds also draw two different subsets (for MNIST, which images
  // of each digit). Seed spreads therefore include data sampling; a separate data seed would isolate training noise.
  const seed = deriveSeed(config.training.seed, 'data');
  const key = hashBytes(JSON.stringify({ builder: descriptor.id, options, imageSize, seed })).slice(0, 12);
  const root = join(cacheDir(), 'datasets', `${descriptor.id}-${key}`);

  await descriptor.create(options, { imageSize, seed }).build(root);
  return root;
}

/** Loads a Med-AD folder with the registered `loader:med-ad`. */
export async function loadData(root: string, config: Config, container: DependencyContainer, imageSize: number): Promise<MedAdData> {
  const loader = resolveDescriptor(container, 'loader', 'med-ad', 'data');
  const options = loader.options.parse({});
  return loader.create(options).load(root, {
    imageSize,
    ...(config.data.intensityRange ? { intensityRange: config.data.intensityRange } : {}),
  });
}
