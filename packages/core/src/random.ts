import seedrandom from 'seedrandom';

/**
 * Seeds and random streams. Every stream derives from the run seed and a purpose, so member 1's shuffling never
 * depends on how many numbers member 0's initialisation drew. `Math.random` is never used.
 */

/** A seeded stream of uniform numbers in [0, 1) whose state can be saved and restored. */
export type Rng = seedrandom.StatefulPRNG<seedrandom.State.Arc4>;

/** Returns the seed of one purpose, e.g. `deriveSeed(8, 'member', 1, 'init')` is `"8/member/1/init"`. */
export function deriveSeed(runSeed: number | string, ...purpose: readonly (number | string)[]): string {
  return [runSeed, ...purpose].join('/');
}

/** Creates a stream for `seed`. Pass `state` (from `rng.state()`) to continue where a saved stream stopped. */
export function createRng(seed: string, state?: seedrandom.State.Arc4): Rng {
  return state === undefined ? seedrandom(seed, { state: true }) : seedrandom('', { state });
}

/** Returns a random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}

/** `count` numbers drawn uniformly from [low, high). */
export function uniform(count: number, low: number, high: number, rng: Rng): Float32Array {
  const values = new Float32Array(count);
  const span = high - low;
  for (let i = 0; i < count; i++) values[i] = low + span * rng();
  return values;
}
