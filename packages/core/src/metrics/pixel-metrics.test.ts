import { readFileSync } from 'node:fs';

import { describe, expect, expectTypeOf, it } from 'vitest';

import { aupro, labelComponents, pixelAuroc, proCurve } from './index.js';

/** One case of fixtures/metrics/pixel.json, written by fixtures/metrics/make_pixel_fixtures.py (sklearn, scipy). */
interface PixelCase {
  readonly name: string;
  readonly size: number;
  readonly maps: number[];
  readonly masks: number[];
  readonly distinctValues: number;
  readonly pixelAuroc: number;
  readonly components: number;
  readonly components4: number;
  readonly aupro: Record<string, number>;
  readonly aupro4: number;
}

const fixture = JSON.parse(readFileSync(new URL('../../../../fixtures/metrics/pixel.json', import.meta.url), 'utf8')) as {
  cases: PixelCase[];
};
const cases = fixture.cases.map((c) => [c.name, c] as const);

function inputs(c: PixelCase): { maps: Float32Array; masks: Uint8Array } {
  return { maps: Float32Array.from(c.maps), masks: Uint8Array.from(c.masks) };
}

describe('pixel metrics fixture', () => {
  it('has ties and diagonal regions', () => {
    const byName = new Map(fixture.cases.map((c) => [c.name, c]));
    expect(byName.get('ties')?.distinctValues).toBeLessThanOrEqual(11);
    expect(byName.get('integer')?.distinctValues).toBeLessThanOrEqual(6);

    // Where 4- and 8-connectivity give different regions, AUPRO differs too, so the comparison checks the choice.
    const diagonal = fixture.cases.filter((c) => c.components4 !== c.components);
    expect(diagonal.length).toBeGreaterThanOrEqual(3);
    expect(diagonal.some((c) => Math.abs(c.aupro4 - c.aupro['0.3']!) > 0.05)).toBe(true);
  });
});

describe('pixelAuroc', () => {
  it.each(cases)('matches sklearn on %s', (_name, c) => {
    const { maps, masks } = inputs(c);
    expect(Math.abs(pixelAuroc(maps, masks) - c.pixelAuroc)).toBeLessThan(1e-9);
  });

  it('counts normal images as negatives', () => {
    // The second image is normal: its high map values are false alarms that lower the score from 1 to 0.75.
    const maps = Float32Array.of(0.9, 0.1, 0.2, 0.3, 0.95, 0.95, 0.0, 0.0);
    const masks = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0);
    expect(pixelAuroc(maps.subarray(0, 4), masks.subarray(0, 4))).toBe(1);
    expect(pixelAuroc(maps, masks)).toBeCloseTo(5 / 7, 12);
  });

  it('rejects masks without anomalies', () => {
    expect(() => pixelAuroc(Float32Array.of(0.1, 0.2), Uint8Array.of(0, 0))).toThrow(
      'pixel AUROC: no mask pixel is 1 (anomaly); pixel AUROC needs anomalous and normal pixels.',
    );
  });

  it('rejects mismatched lengths', () => {
    expect(() => pixelAuroc(Float32Array.of(0.1, 0.2, 0.3), Uint8Array.of(0, 1))).toThrow(
      'pixel AUROC: the pixel maps hold 3 values but the masks hold 2',
    );
  });

  it('returns a number', () => {
    expectTypeOf(pixelAuroc).returns.toEqualTypeOf<number>();
  });
});

describe('aupro', () => {
  it.each(cases)('matches numpy on %s', (_name, c) => {
    const { maps, masks } = inputs(c);
    for (const [limit, expected] of Object.entries(c.aupro)) {
      expect(Math.abs(aupro(maps, masks, c.size, { fprLimit: Number(limit) }) - expected)).toBeLessThan(1e-6);
    }
  });

  it('defaults to limit 0.3', () => {
    const c = fixture.cases.find((entry) => entry.name === 'ties')!;
    const { maps, masks } = inputs(c);
    expect(aupro(maps, masks, c.size)).toBe(aupro(maps, masks, c.size, { fprLimit: 0.3 }));
  });

  it('rejects a limit above 1', () => {
    expect(() => aupro(Float32Array.of(0.1, 0.9), Uint8Array.of(0, 1), 1, { fprLimit: 1.5 })).toThrow(
      'AUPRO: fprLimit is 1.5; it must be in (0, 1], e.g. 0.3.',
    );
  });

  it('rejects a non-binary mask', () => {
    expect(() => aupro(Float32Array.of(0.1, 0.9, 0.2, 0.3), Uint8Array.of(0, 255, 0, 0), 2)).toThrow(
      'AUPRO: masks[1] is 255; each mask value must be 0 (normal) or 1 (anomaly).',
    );
  });

  it('starts the curve at zero', () => {
    const curve = proCurve(Float32Array.of(0.9, 0.1, 0.2, 0.8), Uint8Array.of(1, 0, 0, 0), 2);
    expect([...curve.fpr]).toEqual([0, 0, 1 / 3, 2 / 3, 1]);
    expect([...curve.pro]).toEqual([0, 1, 1, 1, 1]);
    expect(curve.thresholds[0]).toBe(Infinity);
  });
});

describe('labelComponents', () => {
  it.each(cases)('counts scipy regions on %s', (_name, c) => {
    expect(labelComponents(Uint8Array.from(c.masks), c.size).sizes.length).toBe(c.components);
  });

  it('joins diagonal neighbours', () => {
    const { labels, sizes } = labelComponents(Uint8Array.of(1, 0, 0, 1, 0, 0, 1, 0), 2);
    expect([...sizes]).toEqual([2, 1]);
    expect([...labels]).toEqual([0, -1, -1, 0, -1, -1, 1, -1]);
  });

  it('rejects a partial mask', () => {
    expect(() => labelComponents(new Uint8Array(5), 2)).toThrow('pixel masks: 5 values are not a whole number of 2×2 masks');
  });
});
