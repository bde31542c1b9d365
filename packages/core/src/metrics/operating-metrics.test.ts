import { describe, expect, expectTypeOf, it } from 'vitest';

import { D2ueError } from '../errors.js';
import { readMetricFixture } from './__fixtures__/metric-fixture.js';
import {
  auroc,
  averagePrecision,
  f1Max,
  percentile,
  precisionRecallCurve,
  sensitivityAtSpecificity,
  specificityAtSensitivity,
  type F1Max,
} from './index.js';

const fixture = readMetricFixture();
const cases = fixture.cases.map((c) => [c.name, c] as const);

describe('extended fixture', () => {
  it('spans 1e-9 to 1e5', () => {
    const wide = fixture.cases.find((c) => c.name === 'wide_range')!;
    expect(Math.min(...wide.scores)).toBe(1e-9);
    expect(Math.max(...wide.scores)).toBe(1e5);
    expect(new Set(wide.scores).size).toBeLessThan(wide.scores.length - 40);
  });

  it('has varied reference values', () => {
    // A fixture of constant values could not catch a broken metric.
    expect(new Set(fixture.cases.map((c) => c.f1Max)).size).toBeGreaterThanOrEqual(7);
    expect(new Set(fixture.cases.map((c) => c.sensitivityAtSpecificity95)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(fixture.cases.map((c) => c.specificityAtSensitivity95)).size).toBeGreaterThanOrEqual(5);
  });
});

describe('f1Max', () => {
  it.each(cases)('matches sklearn on %s', (_name, c) => {
    const result = f1Max(c.scores, c.labels);
    expect(result.f1).toBe(c.f1Max);
    expect(result.threshold).toBe(c.f1Threshold);
  });

  it('reports precision and recall', () => {
    const result = f1Max([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(result).toEqual({ f1: 0.8, threshold: 0.35, precision: 2 / 3, recall: 1 });
    expectTypeOf(result).toEqualTypeOf<F1Max>();
  });

  it('rejects a single class', () => {
    expect(() => f1Max([0.1, 0.2], [1, 1])).toThrow(/F1-max: all 2 labels are 1, so class 0 \(normal\) is missing/);
  });
});

describe('sensitivityAtSpecificity', () => {
  it.each(cases)('matches sklearn on %s', (_name, c) => {
    const point = sensitivityAtSpecificity(c.scores, c.labels);
    expect(point.sensitivity).toBe(c.sensitivityAtSpecificity95);
    expect(point.threshold).toBe(c.sensitivityAtSpecificity95Threshold);
    expect(point.specificity).toBeGreaterThanOrEqual(0.95);
  });

  it('reproduces its own rates', () => {
    // The threshold is a real operating point: calling images with score >= threshold abnormal gives the rates.
    const c = fixture.cases.find((entry) => entry.name === 'imbalanced')!;
    const point = sensitivityAtSpecificity(c.scores, c.labels, 0.9);
    const called = c.scores.map((score) => score >= point.threshold);
    const tp = called.filter((hit, i) => hit && c.labels[i] === 1).length;
    const tn = called.filter((hit, i) => !hit && c.labels[i] === 0).length;
    expect(tp / c.labels.filter((y) => y === 1).length).toBe(point.sensitivity);
    expect(tn / c.labels.filter((y) => y === 0).length).toBeCloseTo(point.specificity, 12);
  });

  it('rejects a target of 95', () => {
    expect(() => sensitivityAtSpecificity([0.1, 0.9], [0, 1], 95)).toThrow(/target specificity is 95; it must be a rate in \[0, 1\]/);
  });
});

describe('specificityAtSensitivity', () => {
  it.each(cases)('matches sklearn on %s', (_name, c) => {
    const point = specificityAtSensitivity(c.scores, c.labels);
    expect(point.specificity).toBe(c.specificityAtSensitivity95);
    expect(point.threshold).toBe(c.specificityAtSensitivity95Threshold);
    expect(point.sensitivity).toBeGreaterThanOrEqual(0.95);
  });
});

describe('single-class set', () => {
  const { scores, labels, sklearnError } = fixture.singleClass;

  it('sklearn raises too', () => {
    expect(sklearnError).toMatch(/Only one class present/);
  });

  it.each([
    ['AUROC', auroc],
    ['average precision', averagePrecision],
    ['F1-max', f1Max],
    ['ROC curve', sensitivityAtSpecificity],
    ['ROC curve', specificityAtSensitivity],
    ['precision-recall curve', precisionRecallCurve],
  ] as const)('%s throws, not 0.5', (name, metric) => {
    let caught: unknown;
    try {
      metric(scores, labels);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(D2ueError);
    expect((caught as D2ueError).message).toContain(`${name}: all 3 labels are 0, so class 1 (abnormal) is missing`);
  });
});

describe('precisionRecallCurve', () => {
  it('matches average precision', () => {
    // AP is the step integral of this curve, so the two must agree on every fixture case.
    for (const c of fixture.cases) {
      const curve = precisionRecallCurve(c.scores, c.labels);
      let sum = 0;
      for (let i = 1; i < curve.recall.length; i++) sum += (curve.recall[i]! - curve.recall[i - 1]!) * curve.precision[i]!;
      expect(sum, c.name).toBeCloseTo(c.ap, 12);
    }
  });
});

describe('percentile', () => {
  it('matches numpy linear percentiles', () => {
    const { values, q, expected } = fixture.percentiles;
    const sorted = Float64Array.from(values).sort();
    q.forEach((level, i) => expect(percentile(sorted, level)).toBeCloseTo(expected[i]!, 12));
  });

  it('rejects an empty array', () => {
    expect(() => percentile([], 50)).toThrow(/percentile 50 of 0 values: need at least one value/);
  });
});
