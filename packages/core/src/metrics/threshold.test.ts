import { describe, expect, expectTypeOf, it } from 'vitest';

import { chooseThreshold, f1Max, nextUp, ThresholdPolicySchema, type ThresholdPolicy } from './index.js';

describe('ThresholdPolicySchema', () => {
  it('fills the specificity default', () => {
    const policy = ThresholdPolicySchema.parse({ policy: 'specificity' });
    expect(policy).toEqual({ policy: 'specificity', target: 0.95 });
    expect(ThresholdPolicySchema.parse(JSON.parse(JSON.stringify(policy)))).toEqual(policy);
    expectTypeOf(policy).toEqualTypeOf<ThresholdPolicy>();
  });

  it('rejects an unknown policy', () => {
    expect(ThresholdPolicySchema.safeParse({ policy: 'youden' }).success).toBe(false);
    expect(ThresholdPolicySchema.safeParse({ policy: 'manual', value: Infinity }).success).toBe(false);
  });
});

describe('chooseThreshold', () => {
  it('returns a manual value', () => {
    expect(chooseThreshold({ policy: 'manual', value: 0.25 })).toBe(0.25);
  });

  it('keeps target normals below', () => {
    const calibration = Array.from({ length: 20 }, (_, i) => i / 10);
    const threshold = chooseThreshold({ policy: 'specificity', target: 0.95 }, { calibration });
    // 19 of 20 calibration scores (0 .. 1.8) stay below 1.9: specificity 0.95 exactly, and no lower value keeps it.
    expect(threshold).toBe(1.9);
    expect(calibration.filter((score) => score < threshold).length).toBe(19);
  });

  it('steps over tied scores', () => {
    // Ties at 0.5 cannot be split: the threshold moves past all of them.
    const threshold = chooseThreshold({ policy: 'specificity', target: 0.5 }, { calibration: [0.1, 0.5, 0.5, 0.5, 0.9] });
    expect(threshold).toBe(0.9);
  });

  it('goes just above the maximum', () => {
    const threshold = chooseThreshold({ policy: 'specificity', target: 1 }, { calibration: [3, 1, 2] });
    expect(threshold).toBeGreaterThan(3);
    expect(threshold).toBe(nextUp(3));
    expect(nextUp(-1)).toBeGreaterThan(-1);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
  });

  it('needs calibration scores', () => {
    expect(() => chooseThreshold({ policy: 'specificity', target: 0.95 }, {})).toThrow(
      /threshold policy "specificity" needs calibration scores of normal images, got none/,
    );
    expect(() => chooseThreshold({ policy: 'specificity', target: 0.95 }, { calibration: [1, NaN] })).toThrow(/calibration\[1\] is NaN/);
  });

  it('uses the F1-max threshold', () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.05, 0.6];
    const labels = [0, 0, 1, 1, 0, 1];
    expect(chooseThreshold({ policy: 'f1' }, { scores, labels })).toBe(f1Max(scores, labels).threshold);
  });

  it('f1 needs both classes', () => {
    // Never a fallback to the minimum score: one class has no F1-optimal threshold.
    expect(() => chooseThreshold({ policy: 'f1' }, { scores: [0.1, 0.2, 0.3], labels: [0, 0, 0] })).toThrow(
      /threshold policy "f1": F1-max: all 3 labels are 0, so class 1 \(abnormal\) is missing.*Use policy "specificity"/,
    );
    expect(() => chooseThreshold({ policy: 'f1' }, {})).toThrow(/threshold policy "f1" needs labelled scores/);
  });
});
