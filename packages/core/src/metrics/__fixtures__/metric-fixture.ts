import { readFileSync } from 'node:fs';

/** One case of fixtures/metrics/metrics.json, written by fixtures/metrics/make_metrics_fixtures.py (scikit-learn). */
export interface MetricCase {
  readonly name: string;
  readonly scores: number[];
  readonly labels: number[];
  readonly auroc: number;
  readonly ap: number;
  readonly f1Max: number;
  readonly f1Threshold: number;
  readonly sensitivityAtSpecificity95: number;
  readonly sensitivityAtSpecificity95Threshold: number;
  readonly specificityAtSensitivity95: number;
  readonly specificityAtSensitivity95Threshold: number;
}

/** The whole fixture file. */
export interface MetricFixture {
  readonly sklearn: string;
  readonly cases: MetricCase[];
  readonly singleClass: { scores: number[]; labels: number[]; sklearnError: string };
  readonly percentiles: { values: number[]; q: number[]; expected: number[] };
}

/** Reads the fixture; the script writes infinite thresholds as the string "Infinity". */
export function readMetricFixture(): MetricFixture {
  const text = readFileSync(new URL('../../../../../fixtures/metrics/metrics.json', import.meta.url), 'utf8');
  return JSON.parse(text, (_key, value: unknown) => (value === 'Infinity' ? Infinity : value)) as MetricFixture;
}
