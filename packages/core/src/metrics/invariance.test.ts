import { describe, expect, it } from 'vitest';

import { createRng } from '../random.js';
import { auroc, averagePrecision } from './index.js';

/** Strictly increasing maps; each case checks that the map kept every distinct score distinct. */
const transforms: ReadonlyArray<readonly [string, (x: number) => number]> = [
  ['scale by 1024', (x) => x * 1024],
  ['cube', (x) => x ** 3],
  ['exp', (x) => Math.exp(x / 4)],
  ['log1p of shift', (x) => Math.log1p(x + 10)],
  ['atan', (x) => Math.atan(x)],
  ['affine negative', (x) => 3 * x - 1e3],
];

/** Draws a random case: n images, some scores tied, abnormal ones shifted. */
function randomCase(seed: string): { scores: number[]; labels: number[] } {
  const rng = createRng(seed);
  const n = 10 + Math.floor(rng() * 90);
  const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : rng() < 0.4 ? 1 : 0));
  const scores = labels.map((y) => Math.round((rng() * 8 - 4 + y * rng() * 2) * 64) / 64);
  return { scores, labels };
}

describe('rank invariance', () => {
  it.each(transforms)('AUROC and AP survive %s', (_name, transform) => {
    for (let trial = 0; trial < 40; trial++) {
      const { scores, labels } = randomCase(`invariance/${trial}`);
      const mapped = scores.map(transform);

      // Guard: the map must be strictly increasing on these doubles, or the property does not apply.
      expect(new Set(mapped).size).toBe(new Set(scores).size);

      expect(auroc(mapped, labels)).toBeCloseTo(auroc(scores, labels), 14);
      expect(averagePrecision(mapped, labels)).toBeCloseTo(averagePrecision(scores, labels), 14);
    }
  });

  it('flips under a decreasing map', () => {
    // Sanity check that the property test can fail: negation turns AUROC into 1 − AUROC.
    const { scores, labels } = randomCase('invariance/flip');
    expect(auroc(scores.map((x) => -x), labels)).toBeCloseTo(1 - auroc(scores, labels), 12);
  });
});
