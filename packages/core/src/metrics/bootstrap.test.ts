import { describe, expect, expectTypeOf, it } from 'vitest';

import { createRng } from '../random.js';
import { auroc, averagePrecision, bootstrapCi, type ConfidenceInterval } from './index.js';

/** Scores of n normal and n abnormal images, the abnormal ones shifted by `shift` standard deviations. */
function shiftedScores(n: number, shift: number, seed: string): { scores: Float64Array; labels: Uint8Array } {
  const rng = createRng(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const scores = new Float64Array(2 * n);
  const labels = new Uint8Array(2 * n).fill(1, n);
  for (let i = 0; i < 2 * n; i++) scores[i] = normal() + (i >= n ? shift : 0);
  return { scores, labels };
}

describe('bootstrapCi', () => {
  const { scores, labels } = shiftedScores(60, 1, 'ci');

  it('brackets the estimate', () => {
    const ci = bootstrapCi(auroc, scores, labels, { resamples: 300 });
    expect(ci.estimate).toBe(auroc(scores, labels));
    expect(ci.low).toBeLessThan(ci.estimate);
    expect(ci.high).toBeGreaterThan(ci.estimate);
    expect(ci).toMatchObject({ level: 0.95, resamples: 300 });
    expectTypeOf(ci).toEqualTypeOf<ConfidenceInterval>();
  });

  it('repeats with one seed', () => {
    const first = bootstrapCi(averagePrecision, scores, labels, { resamples: 200, seed: 's' });
    expect(bootstrapCi(averagePrecision, scores, labels, { resamples: 200, seed: 's' })).toEqual(first);
    expect(bootstrapCi(averagePrecision, scores, labels, { resamples: 200, seed: 't' })).not.toEqual(first);
  });

  it('narrows with more images', () => {
    const small = bootstrapCi(auroc, scores, labels, { resamples: 300 });
    const large = shiftedScores(600, 1, 'ci-large');
    const wide = bootstrapCi(auroc, large.scores, large.labels, { resamples: 300 });
    // The width of an AUROC interval shrinks about as 1/√n: 10× the images, about a third of the width.
    expect(wide.high - wide.low).toBeLessThan(0.5 * (small.high - small.low));
  });

  it('covers the true AUROC', () => {
    // For unit normals shifted by d, AUROC = Φ(d/√2); Φ(1/√2) = 0.76025 (scipy.stats.norm.cdf(1 / 2 ** 0.5)).
    const large = shiftedScores(600, 1, 'ci-large');
    const ci = bootstrapCi(auroc, large.scores, large.labels, { resamples: 300 });
    expect(ci.low).toBeLessThan(0.76025);
    expect(ci.high).toBeGreaterThan(0.76025);
  });

  it('is a point when perfect', () => {
    const ci = bootstrapCi(auroc, [0.1, 0.2, 0.3, 0.8, 0.9], [0, 0, 0, 1, 1], { resamples: 50 });
    expect([ci.low, ci.estimate, ci.high]).toEqual([1, 1, 1]);
  });

  it('rejects one resample', () => {
    expect(() => bootstrapCi(auroc, scores, labels, { resamples: 1 })).toThrow(/bootstrap resamples is 1; use a whole number >= 2/);
  });

  it('rejects a level of 95', () => {
    expect(() => bootstrapCi(auroc, scores, labels, { level: 95 })).toThrow(/bootstrap level is 95; use a coverage in \(0, 1\)/);
  });

  it('rejects a single class', () => {
    expect(() => bootstrapCi(auroc, [0.1, 0.2], [0, 0])).toThrow(/bootstrap: all 2 labels are 0, so class 1 \(abnormal\) is missing/);
  });
});
