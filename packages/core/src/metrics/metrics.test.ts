import { readFileSync } from 'node:fs';

import { describe, expect, expectTypeOf, it } from 'vitest';

import { D2ueError } from '../errors.js';
import { auroc, averagePrecision, binaryCurve, rocCurve } from './index.js';

/** One case of fixtures/metrics/metrics.json, written by fixtures/metrics/make_metrics_fixtures.py (scikit-learn). */
interface MetricCase {
  name: string;
  scores: number[];
  labels: number[];
  auroc: number;
  ap: number;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../../../fixtures/metrics/metrics.json', import.meta.url), 'utf8'),
) as { sklearn: string; cases: MetricCase[] };

const TOLERANCE = 1e-12;

/** Runs `call` and returns the D2ueError it throws, failing the test when it throws something else or nothing. */
function catchD2ue(call: () => unknown): D2ueError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(D2ueError);
    return error as D2ueError;
  }
  throw new Error('expected a D2ueError, but the call returned normally');
}

describe('metrics fixture', () => {
  it('contains every named case', () => {
    const names = fixture.cases.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(['random', 'heavy_ties', 'all_tied', 'perfect', 'inverted', 'imbalanced', 'integer']),
    );
  });

  it('is not trivially chance', () => {
    // Guards the comparison below: a fixture of constant values could not catch a broken metric.
    const aurocs = new Set(fixture.cases.map((c) => c.auroc));
    const aps = new Set(fixture.cases.map((c) => c.ap));
    expect(fixture.cases.filter((c) => c.auroc !== 0.5).length).toBeGreaterThanOrEqual(6);
    expect(aurocs.size).toBeGreaterThanOrEqual(6);
    expect(aps.size).toBeGreaterThanOrEqual(6);
  });

  it('has heavy ties where claimed', () => {
    const byName = new Map(fixture.cases.map((c) => [c.name, c]));
    expect(new Set(byName.get('heavy_ties')?.scores).size).toBeLessThanOrEqual(11);
    expect(new Set(byName.get('all_tied')?.scores).size).toBe(1);
    expect(byName.get('imbalanced')?.labels.filter((y) => y === 1).length).toBe(3);
  });
});

describe('auroc', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('matches sklearn on %s', (_name, c) => {
    expect(Math.abs(auroc(c.scores, c.labels) - c.auroc)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('counts ties as half', () => {
    // One normal/abnormal pair tied, one ordered correctly: (1 + 0.5) / 2.
    expect(auroc([0.5, 0.5, 0.9, 0.1], [0, 1, 1, 0])).toBeCloseTo(0.875, 15);
  });

  it('accepts typed arrays', () => {
    expect(auroc(Float32Array.from([0.1, 0.4, 0.35, 0.8]), Uint8Array.from([0, 0, 1, 1]))).toBeCloseTo(0.75, 15);
    expectTypeOf(auroc).returns.toEqualTypeOf<number>();
  });

  it('rejects mismatched lengths', () => {
    const error = catchD2ue(() => auroc([0.1, 0.2, 0.3], [0, 1]));
    expect(error.code).toBe('data');
    expect(error.message).toMatch(/AUROC: scores has 3 values but labels has 2/);
  });

  it('rejects missing abnormal class', () => {
    const error = catchD2ue(() => auroc([0.1, 0.2], [0, 0]));
    expect(error.code).toBe('data');
    expect(error.message).toMatch(/class 1 \(abnormal\) is missing; AUROC needs both normal \(0\) and abnormal \(1\)/);
  });

  it('rejects missing normal class', () => {
    expect(() => auroc([0.1, 0.2], [1, 1])).toThrow(/class 0 \(normal\) is missing; AUROC needs both/);
  });

  it('rejects empty inputs', () => {
    expect(() => auroc([], [])).toThrow(/labels are empty, so both classes are missing/);
  });

  it('names a NaN score', () => {
    const error = catchD2ue(() => auroc([0.1, Number.NaN, 0.3], [0, 1, 1]));
    expect(error.subject).toBe('scores[1]');
    expect(error.message).toMatch(/AUROC: scores\[1\] is NaN; every score must be a finite number/);
  });

  it('names an infinite score', () => {
    expect(() => auroc([0.1, 0.2, -Infinity], [0, 1, 1])).toThrow(/scores\[2\] is -Infinity/);
  });

  it('rejects a label of 2', () => {
    expect(() => auroc([0.1, 0.2, 0.3], [0, 2, 1])).toThrow(/labels\[1\] is 2; each label must be 0 \(normal\) or 1/);
  });
});

describe('averagePrecision', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('matches sklearn on %s', (_name, c) => {
    expect(Math.abs(averagePrecision(c.scores, c.labels) - c.ap)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('groups tied scores together', () => {
    // All tied: one threshold, so AP is the abnormal fraction, not an order-dependent value.
    expect(averagePrecision([3, 3, 3, 3], [1, 0, 0, 1])).toBeCloseTo(0.5, 15);
    expectTypeOf(averagePrecision).returns.toEqualTypeOf<number>();
  });

  it('rejects mismatched lengths', () => {
    expect(() => averagePrecision([0.1], [0, 1])).toThrow(/average precision: scores has 1 values but labels has 2/);
  });

  it('rejects a single class', () => {
    expect(() => averagePrecision([0.1, 0.2], [0, 0])).toThrow(
      /class 1 \(abnormal\) is missing; average precision needs both normal \(0\) and abnormal \(1\)/,
    );
  });

  it('names an infinite score', () => {
    const error = catchD2ue(() => averagePrecision([Infinity, 0.2], [0, 1]));
    expect(error.code).toBe('data');
    expect(error.message).toMatch(/average precision: scores\[0\] is Infinity/);
  });
});

describe('binaryCurve', () => {
  it('merges tied scores', () => {
    const curve = binaryCurve('test', [0.2, 0.8, 0.8, 0.5], [0, 1, 0, 1]);
    expect(Array.from(curve.thresholds)).toEqual([0.8, 0.5, 0.2]);
    expect(Array.from(curve.tps)).toEqual([1, 2, 2]);
    expect(Array.from(curve.fps)).toEqual([1, 1, 2]);
  });

  it('starts roc at origin', () => {
    const roc = rocCurve([0.1, 0.9], [0, 1]);
    expect(Array.from(roc.fpr)).toEqual([0, 0, 1]);
    expect(Array.from(roc.tpr)).toEqual([0, 1, 1]);
    expect(roc.thresholds[0]).toBe(Infinity);
  });
});
