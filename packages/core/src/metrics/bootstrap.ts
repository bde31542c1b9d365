/**
 * Bootstrap confidence intervals of an image-level metric.
 *
 * Method: stratified percentile bootstrap (Efron & Tibshirani 1993, ch. 13). Each resample draws the normal and
 * the abnormal images with replacement separately, keeping both class counts, so every resample contains both classes
 * and a ranking metric is always defined. The interval is the (1 − level)/2 and (1 + level)/2 percentiles of the
 * resampled values, interpolated linearly as `numpy.percentile` does by default.
 */

import { D2ueError, describeValue } from '../errors.js';
import { createRng } from '../random.js';
import { validateBinaryScores } from './roc.js';

/** A metric of scores against labels, e.g. {@link auroc}. */
export type BinaryMetric = (scores: ArrayLike<number>, labels: ArrayLike<number>) => number;

/** Options of {@link bootstrapCi}. */
export interface BootstrapOptions {
  /** Number of resamples; default 1000. */
  readonly resamples?: number;

  /** Coverage of the interval; default 0.95. */
  readonly level?: number;

  /** Seed of the resampling stream; default `'bootstrap'`. The same seed gives the same interval. */
  readonly seed?: string;
}

/** A point estimate with its bootstrap interval. */
export interface ConfidenceInterval {
  /** The metric on the full data. */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly level: number;
  readonly resamples: number;
}

/**
 * Computes the metric on the data and its stratified percentile bootstrap interval.
 *
 * @throws D2ueError (code `data`) for inputs the metric rejects (see {@link validateBinaryScores}); (code `config`)
 *   for fewer than 2 resamples or a level outside (0, 1).
 * @example
 * bootstrapCi(auroc, scores, labels, { resamples: 2000, seed: 'run-8' }); // { estimate, low, high, … }
 */
export function bootstrapCi(
  metric: BinaryMetric,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  { resamples = 1000, level = 0.95, seed = 'bootstrap' }: BootstrapOptions = {},
): ConfidenceInterval {
  if (!Number.isInteger(resamples) || resamples < 2) {
    throw new D2ueError('config', `bootstrap resamples is ${describeValue(resamples)}; use a whole number >= 2 (1000 is typical).`, {
      subject: 'resamples',
    });
  }
  if (!(level > 0 && level < 1)) {
    throw new D2ueError('config', `bootstrap level is ${describeValue(level)}; use a coverage in (0, 1), e.g. 0.95.`, { subject: 'level' });
  }
  validateBinaryScores('bootstrap', scores, labels);

  const estimate = metric(scores, labels);

  // Indices per class; each resample keeps the class counts (stratified).
  const normals: number[] = [];
  const abnormals: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? abnormals : normals).push(i);

  const rng = createRng(seed);
  const sampleScores = new Float64Array(labels.length);
  const sampleLabels = new Uint8Array(labels.length);
  sampleLabels.fill(1, normals.length);
  const values = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < normals.length; i++) sampleScores[i] = scores[normals[Math.floor(rng() * normals.length)]!] as number;
    for (let i = 0; i < abnormals.length; i++) {
      sampleScores[normals.length + i] = scores[abnormals[Math.floor(rng() * abnormals.length)]!] as number;
    }
    values[r] = metric(sampleScores, sampleLabels);
  }

  values.sort();
  return {
    estimate,
    low: percentile(values, (100 * (1 - level)) / 2),
    high: percentile(values, (100 * (1 + level)) / 2),
    level,
    resamples,
  };
}

/**
 * Computes the q-th percentile (0..100) of ascending `sorted` values, interpolated linearly between the two nearest ranks
 * (numpy's default `method='linear'`).
 *
 * @throws D2ueError (code `data`) for an empty array or q outside [0, 100].
 * @example
 * percentile(Float64Array.from([1, 2, 3, 4]), 25); // 1.75
 */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0 || !(q >= 0 && q <= 100)) {
    throw new D2ueError('data', `percentile ${describeValue(q)} of ${sorted.length} values: need at least one value and q in [0, 100].`, {
      subject: 'percentile',
    });
  }

  const position = (q / 100) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const fraction = position - below;
  const low = sorted[below] as number;
  return low + (((sorted[above] as number) - low) * fraction);
}
