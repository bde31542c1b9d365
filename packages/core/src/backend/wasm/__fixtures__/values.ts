/** Test helpers shared by the wasm kernel tests: seeded inputs and a scale-relative error. */

/** Deterministic values in [-1, 1) (a linear congruential generator; tests only). */
export function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** max |got − want| / max |want|: the error relative to the reference's scale. */
export function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs((got[i] as number) - (want[i] as number)));
    scale = Math.max(scale, Math.abs(want[i] as number));
  }
  return diff / Math.max(scale, 1e-30);
}
