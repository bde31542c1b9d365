/**
 * Score histograms and their χ² distance, as the official D2UE test.py draws and measures them
 * (`anomaly_score_histogram`, `chi2_distance`).
 */

import { D2ueError } from '../../errors.js';

/** Densities of normal and abnormal scores over equal bins of [0, 1] after min-max normalisation. */
export interface ScoreHistograms {
  /** Density per bin (integrates to 1 over [0, 1]), as numpy.histogram(..., density=True). */
  readonly normal: Float64Array;
  readonly abnormal: Float64Array;
  readonly bins: number;
}

/**
 * Min-max normalises all scores together to [0, 1], then bins each class into `bins` equal bins of [0, 1] (the last
 * bin closed, as numpy does) and divides the counts by (class size · bin width).
 *
 * @throws D2ueError `data` when a class is empty or the lengths differ.
 * @example
 * scoreHistograms([0.1, 0.9, 0.5], [0, 1, 0]).normal.length; // 100
 */
export function scoreHistograms(scores: ArrayLike<number>, labels: ArrayLike<number>, bins = 100): ScoreHistograms {
  if (scores.length !== labels.length) {
    throw new D2ueError('data', `score histogram: ${scores.length} scores but ${labels.length} labels; pass one label per score.`, {
      subject: 'labels',
    });
  }

  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    low = Math.min(low, scores[i] as number);
    high = Math.max(high, scores[i] as number);
  }

  // All scores equal: the official code divides by zero (NaN); here every score lands in bin 0 instead.
  const span = high - low;
  const counts = [new Float64Array(bins), new Float64Array(bins)] as const;
  const sizes = [0, 0];
  for (let i = 0; i < scores.length; i++) {
    const label = labels[i] === 1 ? 1 : 0;
    const normalised = span > 0 ? ((scores[i] as number) - low) / span : 0;
    counts[label][Math.min(Math.floor(normalised * bins), bins - 1)]! += 1;
    sizes[label]! += 1;
  }
  if (sizes[0] === 0 || sizes[1] === 0) {
    throw new D2ueError('data', 'score histogram: one class has no images; the histogram compares normal and abnormal scores.', {
      subject: 'labels',
    });
  }

  const width = 1 / bins;
  const density = (values: Float64Array, size: number): Float64Array => values.map((count) => count / (size * width));
  return { normal: density(counts[0], sizes[0]!), abnormal: density(counts[1], sizes[1]!), bins };
}

/**
 * The official χ² distance between two histograms: 0.5 · Σ ((a − b)² + 1e-15) / (a + b + 1e-15).
 *
 * NOTE: as in the official code, a bin empty in both histograms adds 0.5 because the 1e-15 terms cancel. The value
 * therefore depends on the bin count, so compare distances only between histograms of the same bins.
 *
 * @example
 * chi2Distance([1, 0], [0, 1]); // 1 (plus 2 · 0.5e-15)
 */
export function chi2Distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    sum += ((x - y) ** 2 + 1e-15) / (x + y + 1e-15);
  }
  return 0.5 * sum;
}
