import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Asserts that `fn` leaves no tensor behind: it runs once to warm up (an optimizer creates its slots, a kernel its
 * caches), then `repeats` more times, and `tf.memory().numTensors` must be the same after every call. `fn` may be
 * async; it must dispose what it creates, including what it returns.
 *
 * @example
 *   await expectNoTensorLeak(() => trainingStep(inputs), 3);
 */
export async function expectNoTensorLeak(fn: () => unknown, repeats = 3, label = 'numTensors'): Promise<void> {
  await fn();
  const before = tf.memory().numTensors;

  const counts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    await fn();
    counts.push(tf.memory().numTensors);
  }

  expect(counts, `${label} after each of ${repeats} calls (${before} before)`).toEqual(Array.from({ length: repeats }, () => before));
}

/**
 * Records `tf.memory().numTensors` at moments the caller chooses (e.g. each epoch's end) and asserts that they are
 * all equal, for loops that cannot be re-run as a function.
 */
export class TensorCountProbe {
  readonly counts: number[] = [];

  record(): void {
    this.counts.push(tf.memory().numTensors);
  }

  expectFlat(label = 'numTensors'): void {
    expect(this.counts.length, `${label}: too few samples`).toBeGreaterThan(1);
    expect(this.counts, label).toEqual(Array.from({ length: this.counts.length }, () => this.counts[0]));
  }
}
