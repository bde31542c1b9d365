import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import {
  D2ueError,
  DEFAULT_PLUGINS,
  listDescriptors,
  loadPlugins,
  readManifest,
  resolveDescriptor,
  selectBackend,
  trainRun,
  type RepulsionContext,
  type RepulsionView,
} from '@d2ue/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { scratchDir, tinyConfig } from './helpers/tiny.js';

/**
 * A third-party repulsion term (examples/repulsion-orthogonality, package d2ue-example-repulsion) loads through
 * the config's `plugins` list like the built-in packages and trains a run.
 */

const PLUGINS = [...DEFAULT_PLUGINS, 'd2ue-example-repulsion'];

beforeAll(async () => {
  await selectBackend('cpu');
});

function view(features: tf.Tensor2D): RepulsionView {
  return { features, output: { reconstruction: tf.zeros([features.shape[0], 4, 4, 1]) as tf.Tensor4D, features: new Map([[4, features]]) } };
}

describe('example plug-in', () => {
  it('registers through loadPlugins', async () => {
    const container = await loadPlugins(PLUGINS);
    const descriptor = resolveDescriptor(container, 'repulsion', 'orthogonality');

    expect(descriptor.id).toBe('orthogonality');
    expect(descriptor.options.parse({})).toEqual({ centre: true });
    // The built-in terms are still there next to it.
    expect(resolveDescriptor(container, 'repulsion', 'rar').id).toBe('rar');
  });

  it('shares one copy of core', async () => {
    // listDescriptors reads a registry private to core's module, so it lists the term only if the example called
    // the same copy of registerDescriptors as this test imports.
    const container = await loadPlugins(PLUGINS);
    expect(listDescriptors(container, 'repulsion').map((descriptor) => descriptor.id)).toContain('orthogonality');

    const descriptor = resolveDescriptor(container, 'repulsion', 'orthogonality');
    const features = tf.ones([1, 3]) as tf.Tensor2D;
    const single: RepulsionContext = { input: tf.zeros([1, 4, 4, 1]), junior: view(features), seniors: [view(features)] };
    let thrown: unknown;
    try {
      descriptor.create(descriptor.options.parse({})).compute(single);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(D2ueError);
    expect((thrown as Error).message).toMatch(/repulsion "orthogonality": needs a batch of at least 2 images to correlate features, got 1\. Raise training\.batchSize\./);
  });

  it('is absent without the package', async () => {
    const container = await loadPlugins(DEFAULT_PLUGINS);
    expect(() => resolveDescriptor(container, 'repulsion', 'orthogonality', 'repulsion.name')).toThrow(
      /repulsion\.name: no repulsion plug-in named "orthogonality"\. Registered: .*add the package that provides it to the config's "plugins" list/,
    );
  });

  it('computes correlations of features', async () => {
    const container = await loadPlugins(PLUGINS);
    const descriptor = resolveDescriptor(container, 'repulsion', 'orthogonality');
    const term = descriptor.create(descriptor.options.parse({}));

    // Junior features (a, b) against senior features (a, c), with a, b, c uncorrelated over the 4 images
    // (centred and mutually orthogonal): correlations [[1, 0], [0, 0]], mean of squares 1/4.
    const a = [1, -1, 1, -1];
    const b = [1, 1, -1, -1];
    const c = [1, -1, -1, 1];
    const junior = tf.tensor2d(a.map((value, i) => [value, b[i]!]));
    const senior = tf.tensor2d(a.map((value, i) => [3 * value + 5, c[i]!]));
    const context: RepulsionContext = { input: tf.zeros([4, 4, 4, 1]), junior: view(junior), seniors: [view(senior)] };

    expect(term.compute(context).dataSync()[0]).toBeCloseTo(0.25, 6);
    expect(term.minBatchSize).toBe(2);
  });

  it('rejects an unknown option', async () => {
    const config = tinyConfig({ repulsion: { name: 'orthogonality', weight: 1, tap: 4, center: true }, plugins: PLUGINS });
    await expect(trainRun(config, { out: join(scratchDir('run'), 'typo') })).rejects.toThrow(/repulsion: Unrecognized key: "center"/);
  });
});

describe('example plug-in training', () => {
  let runDir: string;
  let dispose: () => void;

  beforeAll(async () => {
    process.env.D2UE_CACHE ??= scratchDir('cache');
    const config = tinyConfig({
      repulsion: { name: 'orthogonality', weight: 1, tap: 4 },
      ensemble: { size: 2 },
      training: { epochs: 1, batchSize: 16, seed: 8 },
      plugins: PLUGINS,
    });
    const run = await trainRun(config, { out: join(scratchDir('run'), 'orthogonality') });
    runDir = run.runDir;
    dispose = () => run.members.forEach((member) => member.dispose());
  });

  afterAll(() => {
    dispose();
  });

  it('records the term in the manifest', () => {
    expect(readManifest(runDir).config).toMatchObject({ repulsion: { name: 'orthogonality', weight: 1, tap: 4, centre: true } });
  });

  it('logs repulsion for member 1', () => {
    const epochs = (member: number): Array<{ repulsion: number }> =>
      readFileSync(join(runDir, 'members', String(member), 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));

    expect(epochs(0)).toHaveLength(1);
    expect(epochs(0)[0]!.repulsion).toBe(0);
    expect(epochs(1)).toHaveLength(1);
    expect(epochs(1)[0]!.repulsion).toBeGreaterThan(0);
    expect(epochs(1)[0]!.repulsion).toBeLessThanOrEqual(1);
  });
});
