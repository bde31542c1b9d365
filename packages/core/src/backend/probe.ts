/**
 * Probing every backend: which load here, which one `auto` picks, and a speed figure for each.
 *
 * The figure is the median time of a tiny training step: forward, backward and an SGD update of a 4×4 stride-2
 * conv with 16 channels and its transposed conv, batch 8, 32×32 inputs. It exercises the same kernels as the
 * backbones, but it only compares backends on one machine and is no throughput figure.
 */
import * as tf from '@tensorflow/tfjs-core';

import { AUTO_ORDER, activateBackend, type ConcreteBackend } from './select.js';

/** The outcome of probing one backend. */
export interface BackendProbe {
  readonly backend: ConcreteBackend;

  /** Whether it loaded and passed the self-check. */
  readonly available: boolean;

  /** Median ms per tiny conv training step; undefined when unavailable. */
  readonly msPerStep?: number;

  /** The first line of the error when it did not load. */
  readonly error?: string;
}

/** Options of {@link probeBackends}. */
export interface ProbeOptions {
  /** Timed steps per backend after one warm-up step (default 5). */
  readonly steps?: number;

  /** The backends to probe (default: all, fastest first). */
  readonly backends?: readonly ConcreteBackend[];
}

/**
 * Loads each backend in turn, self-checks it and times a tiny conv training step. The active backend afterwards
 * is the last one that loaded; call `selectBackend` to choose one.
 *
 * @example
 * const probes = await probeBackends({ steps: 3 });
 * @returns one entry per backend, in `auto`'s order.
 */
export async function probeBackends(options: ProbeOptions = {}): Promise<BackendProbe[]> {
  const steps = options.steps ?? 5;
  const probes: BackendProbe[] = [];
  for (const backend of options.backends ?? AUTO_ORDER) {
    try {
      await activateBackend(backend);
    } catch (error) {
      probes.push({ backend, available: false, error: (error as Error).message.split('\n')[0] });
      continue;
    }
    probes.push({ backend, available: true, msPerStep: await timeTinyStep(steps) });
  }
  return probes;
}

/** Returns the backend `auto` picks from a probe list: the first available one in `auto`'s order. */
export function defaultBackend(probes: readonly BackendProbe[]): ConcreteBackend | undefined {
  return AUTO_ORDER.find((name) => probes.some((probe) => probe.backend === name && probe.available));
}

/** Median ms of a tiny conv training step on the active backend (seeded inputs, freed afterwards). */
async function timeTinyStep(steps: number): Promise<number> {
  const x = tf.randomUniform([8, 32, 32, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
  // tidy frees the initial values; the variables hold their own reference.
  const down = tf.tidy(() => tf.variable(tf.randomUniform([4, 4, 1, 16], -0.3, 0.3, 'float32', 2))) as tf.Variable<tf.Rank.R4>;
  const up = tf.tidy(() => tf.variable(tf.randomUniform([4, 4, 1, 16], -0.3, 0.3, 'float32', 3))) as tf.Variable<tf.Rank.R4>;
  const optimizer = tf.train.sgd(1e-3);
  const step = async (): Promise<void> => {
    const loss = optimizer.minimize(() => {
      const h = tf.relu(tf.conv2d(x, down, 2, 'same'));
      return tf.mean(tf.squaredDifference(tf.conv2dTranspose(h, up, [8, 32, 32, 1], 2, 'same'), x));
    }, true);
    await loss?.data();
    loss?.dispose();
  };

  try {
    await step();
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const start = performance.now();
      await step();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  } finally {
    optimizer.dispose();
    tf.dispose([x, down, up]);
  }
}
