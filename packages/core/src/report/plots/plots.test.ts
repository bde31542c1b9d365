import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { describe, expect, expectTypeOf, it } from 'vitest';

import type { ScorerOutcome } from '../../evaluation/evaluate.js';
import type { TopAnomalyMaps } from '../../evaluation/top-maps.js';
import { readMetricFixture } from '../../metrics/__fixtures__/metric-fixture.js';
import { auroc, averagePrecision, bootstrapCi, f1Max, sensitivityAtSpecificity } from '../../metrics/index.js';
import { createRng } from '../../random.js';
import { chi2Distance, scoreHistograms } from './chi2.js';
import { inferno } from './colormap.js';
import { writePlots } from './write-plots.js';

const fixture = readMetricFixture() as ReturnType<typeof readMetricFixture> & {
  chi2: Record<string, { normalDensity: number[]; abnormalDensity: number[]; chi2: number }>;
};

/** Builds an ok outcome of made-up scores, with every metric computed by the real functions. */
function outcome(scorer: string, shift: number, seed: string): ScorerOutcome {
  const rng = createRng(seed);
  const labels = Array.from({ length: 80 }, (_, i) => (i < 40 ? 0 : 1));
  const values = labels.map((y) => Math.exp(rng() * 2 + shift * y * rng()) * 1e-3);
  const f1 = f1Max(values, labels);
  return {
    scorer,
    members: 3,
    status: 'ok',
    auroc: auroc(values, labels),
    averagePrecision: averagePrecision(values, labels),
    f1Max: f1.f1,
    f1Threshold: f1.threshold,
    sensitivityAtSpecificity: sensitivityAtSpecificity(values, labels),
    aurocCi: bootstrapCi(auroc, values, labels, { resamples: 50 }),
    warnings: [],
    scores: values.map((score, i) => ({ id: `img-${i}.png`, label: labels[i]!, score })),
  };
}

/** Four 16×16 images with a bright square and pixel maps that light up on it. */
function topMaps(): TopAnomalyMaps {
  const size = 16;
  const images = new Float32Array(4 * size * size).fill(-0.8);
  const maps = new Float32Array(4 * size * size);
  for (let n = 0; n < 4; n++) {
    for (let y = 4 + n; y < 9 + n; y++) {
      for (let x = 3; x < 8; x++) {
        images[n * 256 + y * size + x] = 0.9;
        maps[n * 256 + y * size + x] = (n + 1) * 2e-3;
      }
    }
  }
  const entries = [0, 1, 2, 3].map((n) => ({ id: `case-${n}<&>.png`, label: n % 2, score: 1e-3 * (4 - n) }));
  return { scorer: 'dsu', entries, images, maps, size };
}

describe('chi2Distance', () => {
  it.each(Object.entries(fixture.chi2))('matches numpy on %s', (name, reference) => {
    const c = fixture.cases.find((entry) => entry.name === name)!;
    const histograms = scoreHistograms(c.scores, c.labels);
    histograms.normal.forEach((density, bin) => expect(density, `normal bin ${bin}`).toBeCloseTo(reference.normalDensity[bin]!, 9));
    histograms.abnormal.forEach((density, bin) => expect(density, `abnormal bin ${bin}`).toBeCloseTo(reference.abnormalDensity[bin]!, 9));
    expect(chi2Distance(histograms.normal, histograms.abnormal)).toBeCloseTo(reference.chi2, 9);
  });

  it('rejects a missing class', () => {
    expect(() => scoreHistograms([1, 2], [0, 0])).toThrow(/score histogram: one class has no images/);
  });
});

describe('inferno', () => {
  it('spans dark to light', () => {
    expect(inferno(0)).toEqual([0, 0, 4]);
    expect(inferno(1)).toEqual([252, 255, 164]);
    expect(inferno(Number.NaN)).toEqual([0, 0, 4]);
    expectTypeOf(inferno(0.5)).toEqualTypeOf<[number, number, number]>();
  });
});

describe('writePlots', () => {
  it('writes SVG and PNG files', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'd2ue-plots-'));
    const outcomes: ScorerOutcome[] = [
      outcome('reconstruction', 1, 'a'),
      outcome('dsu', 3, 'b'),
      { scorer: 'output', members: 3, status: 'n/a', reason: 'needs at least 2 members' },
    ];
    const files = await writePlots(runDir, outcomes, { maps: [topMaps()], suffix: '.k3' });

    const dir = join(runDir, 'reports', 'plots');
    const names = ['hist-reconstruction.k3', 'hist-dsu.k3', 'roc.k3', 'pr.k3', 'maps-dsu.k3'];
    expect(files.sort()).toEqual(names.flatMap((name) => [join(dir, `${name}.png`), join(dir, `${name}.svg`)]).sort());
    expect(existsSync(join(dir, 'hist-output.k3.svg'))).toBe(false);

    const roc = readFileSync(join(dir, 'roc.k3.svg'), 'utf8');
    expect(roc).toContain(`dsu (AUC ${(outcomes[1] as { auroc: number }).auroc.toFixed(3)})`);
    expect(roc).toContain('false positive rate');
    expect(readFileSync(join(dir, 'pr.k3.svg'), 'utf8')).toContain('(AP ');
    expect(readFileSync(join(dir, 'hist-dsu.k3.svg'), 'utf8')).toMatch(/χ² distance \d+\.\d\d/);
    expect(readFileSync(join(dir, 'maps-dsu.k3.svg'), 'utf8')).toContain('case-0&lt;&amp;&gt;.png');

    const png = await sharp(join(dir, 'roc.k3.png')).metadata();
    expect(png.format).toBe('png');
    expect(png.width).toBeGreaterThan(800);
    const grid = await sharp(join(dir, 'maps-dsu.k3.png')).metadata();
    expect(grid.width).toBeGreaterThan(1000);
  });
});
