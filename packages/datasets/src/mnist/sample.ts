import seedrandom from 'seedrandom';

import { D2ueError } from '@d2ue/core';

import type { MnistOptions } from './options.js';

/** Image indices chosen from the MNIST files, each list ascending. */
export interface MnistSelection {
  /** Indices into the training file, all of the normal digit. */
  readonly train: readonly number[];

  /** Indices into the test file, all of the normal digit. */
  readonly testNormal: readonly number[];

  /** Indices into the test file, of the other digits. */
  readonly testAbnormal: readonly number[];
}

/**
 * Draws the images of a one-class MNIST set. Each list comes from its own seeded stream (`<seed>/mnist/<split>`),
 * so changing one count leaves the other lists as they were. Abnormal images are taken round-robin over the nine
 * other digits in a seeded order, so their counts differ by at most one until a digit runs out.
 *
 * @example
 * const picked = selectMnist(train.labels, test.labels, { normalClass: 0, train: 20, testNormal: 10, testAbnormal: 10 }, '7');
 * @throws D2ueError `config` when a count is larger than the images available, naming how many exist.
 */
export function selectMnist(
  trainLabels: Uint8Array,
  testLabels: Uint8Array,
  options: MnistOptions,
  seed: string,
): MnistSelection {
  const digit = options.normalClass;
  const trainPool = indicesWhere(trainLabels, (label) => label === digit);
  const testPool = indicesWhere(testLabels, (label) => label === digit);
  const otherCount = testLabels.length - testPool.length;

  requireAvailable('train', options.train, trainPool.length, `images of digit ${digit} in the MNIST training file`);
  requireAvailable('testNormal', options.testNormal, testPool.length, `images of digit ${digit} in the MNIST test file`);
  requireAvailable('testAbnormal', options.testAbnormal, otherCount, `images of digits other than ${digit} in the MNIST test file`);

  const train = shuffled(trainPool, seedrandom(`${seed}/mnist/train`)).slice(0, options.train);
  const testNormal = shuffled(testPool, seedrandom(`${seed}/mnist/test-normal`)).slice(0, options.testNormal);
  const testAbnormal = drawAbnormal(testLabels, digit, options.testAbnormal, seed);

  return { train: ascending(train), testNormal: ascending(testNormal), testAbnormal: ascending(testAbnormal) };
}

/** Draws round-robin over the other digits (in a seeded order), each digit's images in a seeded order. */
function drawAbnormal(labels: Uint8Array, normal: number, count: number, seed: string): number[] {
  const digits = shuffled(
    Array.from({ length: 10 }, (_, d) => d).filter((d) => d !== normal),
    seedrandom(`${seed}/mnist/test-abnormal/order`),
  );
  const pools = digits.map((d) =>
    shuffled(
      indicesWhere(labels, (label) => label === d),
      seedrandom(`${seed}/mnist/test-abnormal/${d}`),
    ),
  );

  const drawn: number[] = [];
  for (let round = 0; drawn.length < count; round++) {
    for (const pool of pools) {
      if (drawn.length === count) break;
      if (round < pool.length) drawn.push(pool[round]!);
    }
  }
  return drawn;
}

function requireAvailable(option: string, requested: number, available: number, what: string): void {
  if (requested > available) {
    throw new D2ueError(
      'config',
      `mnist option "${option}" is ${requested}, but there are only ${available} ${what}. ` +
        `Set "${option}" to at most ${available}.`,
      { subject: option },
    );
  }
}

function indicesWhere(labels: Uint8Array, keep: (label: number) => boolean): number[] {
  const indices: number[] = [];
  labels.forEach((label, index) => {
    if (keep(label)) indices.push(index);
  });
  return indices;
}

/** Returns a Fisher–Yates shuffled copy. */
function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function ascending(indices: readonly number[]): number[] {
  return [...indices].sort((a, b) => a - b);
}
