/**
 * Threshold policies: how the score above which an image is called abnormal is chosen. An image is abnormal when
 * its score is >= the threshold, everywhere in d2ue.
 *
 * - `manual`: a given value.
 * - `specificity`: from normal-only calibration scores, the lowest threshold that keeps at least `target` of them
 *   below it (their empirical specificity >= target). It needs no abnormal images.
 * - `f1`: the F1-max threshold on labelled scores ({@link f1Max}); it needs both classes and never falls back to
 *   another value.
 */

import { z } from 'zod';

import { D2ueError, describeValue } from '../errors.js';
import { f1Max } from './f1-max.js';

/** A threshold policy as written in a config. */
export const ThresholdPolicySchema = z.discriminatedUnion('policy', [
  z.strictObject({ policy: z.literal('manual'), value: z.number().refine(Number.isFinite, 'must be a finite number') }),
  // 0.95 is the usual screening operating point, as in the sensitivity@95% specificity metric.
  z.strictObject({ policy: z.literal('specificity'), target: z.number().min(0).max(1).default(0.95) }),
  z.strictObject({ policy: z.literal('f1') }),
]);

/** A parsed threshold policy. */
export type ThresholdPolicy = z.output<typeof ThresholdPolicySchema>;

/** The data a policy may need. */
export interface ThresholdData {
  /** Scores of normal images only (e.g. a held-out part of the training split), for `specificity`. */
  readonly calibration?: ArrayLike<number>;

  /** Scores and labels of both classes, for `f1`. */
  readonly scores?: ArrayLike<number>;
  readonly labels?: ArrayLike<number>;
}

/**
 * Chooses the threshold that `policy` defines from `data`.
 *
 * @throws D2ueError (code `data`) when the data the policy needs is missing, empty, not finite, or (for `f1`) contains
 *   a single class.
 * @example
 * chooseThreshold({ policy: 'specificity', target: 0.9 }, { calibration: normalScores });
 */
export function chooseThreshold(policy: ThresholdPolicy, data: ThresholdData = {}): number {
  switch (policy.policy) {
    case 'manual':
      return policy.value;
    case 'specificity':
      return specificityThreshold(data.calibration, policy.target);
    case 'f1':
      return f1Threshold(data.scores, data.labels);
  }
}

/**
 * The lowest threshold t with #{calibration scores < t} >= ⌈target · n⌉. When every score must stay below it, t is
 * the next double above the largest score, so the rule is met exactly with no arbitrary margin.
 */
function specificityThreshold(calibration: ArrayLike<number> | undefined, target: number): number {
  if (!calibration || calibration.length === 0) {
    throw new D2ueError(
      'data',
      'threshold policy "specificity" needs calibration scores of normal images, got none; score a normal-only split first.',
      { subject: 'calibration' },
    );
  }
  const sorted = Float64Array.from(calibration);
  for (let i = 0; i < sorted.length; i++) {
    if (!Number.isFinite(sorted[i]!)) {
      throw new D2ueError('data', `threshold policy "specificity": calibration[${i}] is ${String(sorted[i])}; scores must be finite numbers.`, {
        subject: `calibration[${i}]`,
      });
    }
  }
  sorted.sort();

  // k images must fall strictly below t. Candidates are the distinct values; a value v has #{< v} = its first index.
  // The small margin absorbs the rounding of target · n (0.95 · 20 must give 19, not 20).
  const needed = Math.ceil(target * sorted.length - 1e-9);
  if (needed === 0) return sorted[0]!;
  for (let i = needed; i < sorted.length; i++) {
    if (sorted[i - 1]! < sorted[i]!) return sorted[i]!;
  }
  return nextUp(sorted[sorted.length - 1]!);
}

function f1Threshold(scores: ArrayLike<number> | undefined, labels: ArrayLike<number> | undefined): number {
  if (!scores || !labels) {
    throw new D2ueError('data', 'threshold policy "f1" needs labelled scores of normal and abnormal images, got none.', { subject: 'scores' });
  }
  try {
    return f1Max(scores, labels).threshold;
  } catch (error) {
    if (error instanceof D2ueError) {
      throw new D2ueError('data', `threshold policy "f1": ${error.message} Use policy "specificity" with normal-only scores instead.`, {
        subject: error.subject ?? 'labels',
        cause: error,
      });
    }
    throw error;
  }
}

/** Returns the smallest double greater than `value` (finite input). */
export function nextUp(value: number): number {
  if (value === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, value > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}
