import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { selectBackend } from '../backend/select.js';
import type { Backbone } from '../contracts/backbone.js';
import type { ImageSet } from '../contracts/dataset.js';
import type { ScoreOptions, ScoreResult, UncertaintyScorer } from '../contracts/scorer.js';
import { aupro } from '../metrics/aupro.js';
import { pixelAuroc } from '../metrics/pixel-auroc.js';
import { createRng } from '../random.js';
import { formatResultsMarkdown, formatResultsTable, resultRows } from '../report/results.js';
import { evaluateScorer, type ScorerOutcome } from './evaluate.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

/**
 * A scorer whose pixel map is the image itself (shifted to [0, 2]) and whose image score is the map's mean, so the
 * expected pixel metrics follow from the pixels alone, whatever the batching.
 */
class IdentityScorer implements UncertaintyScorer {
  readonly id = 'identity';
  readonly minMembers = 1;
  readonly calls: (ScoreOptions | undefined)[] = [];

  constructor(private readonly withMaps = true) {}

  score(_members: readonly Backbone[], batch: tf.Tensor4D, options?: ScoreOptions): ScoreResult {
    this.calls.push(options);
    return tf.tidy(() => {
      const maps = batch.add(1) as tf.Tensor4D;
      const imageScores = maps.mean([1, 2, 3]) as tf.Tensor1D;
      if (options?.pixelMaps && this.withMaps) return { imageScores, pixelMaps: maps };
      return { imageScores };
    });
  }
}

// The scorer never touches its members; one placeholder satisfies minMembers.
const members = [{} as Backbone];

/** 7 seeded 4x4 images: 3 normal, 4 abnormal whose masked pixels are brighter; masks only when `masked`. */
function testSet(masked: boolean): ImageSet {
  const rng = createRng('pixel-maps-test');
  const size = 4;
  const labels = Uint8Array.of(0, 0, 0, 1, 1, 1, 1);
  const pixels = new Float32Array(labels.length * size * size);
  const masks = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const image = Math.floor(i / (size * size));
    masks[i] = labels[image] === 1 && rng() < 0.3 ? 1 : 0;
    pixels[i] = Math.fround(rng() * 1.2 - 1 + 0.6 * masks[i]!);
  }
  const ids = Array.from(labels, (_, index) => `image${index}.png`);
  return masked ? { ids, labels, pixels, size, masks } : { ids, labels, pixels, size };
}

describe('evaluateScorer pixel metrics', () => {
  it('matches metrics of the maps', () => {
    const test = testSet(true);
    const outcome = evaluateScorer(new IdentityScorer(), members, test, { batchSize: 3, bootstrapResamples: 10 });
    const maps = Float32Array.from(test.pixels, (value) => Math.fround(value + 1));

    expect(outcome.status).toBe('ok');
    const ok = outcome as Extract<ScorerOutcome, { status: 'ok' }>;
    expect(ok.pixelAuroc).toBe(pixelAuroc(maps, test.masks!));
    expect(ok.aupro).toBe(aupro(maps, test.masks!, 4));
    expect(ok.pixelAuroc).toBeGreaterThan(0.7);
  });

  it('skips maps without masks', () => {
    const scorer = new IdentityScorer();
    const outcome = evaluateScorer(scorer, members, testSet(false), { batchSize: 3, bootstrapResamples: 10 });
    expect(scorer.calls).toEqual([undefined, undefined, undefined]);
    expect(outcome).not.toHaveProperty('pixelAuroc');
    expect(outcome).not.toHaveProperty('aupro');
  });

  it('rejects a scorer without maps', () => {
    expect(() => evaluateScorer(new IdentityScorer(false), members, testSet(true), { bootstrapResamples: 10 })).toThrow(
      `scorer "identity" returned no pixel maps although pixelMaps: true was asked; fix the scorer's score().`,
    );
  });

  it('warns on empty masks', () => {
    const test = { ...testSet(true), masks: new Uint8Array(7 * 16) };
    const outcome = evaluateScorer(new IdentityScorer(), members, test, { bootstrapResamples: 10 });
    expect(outcome.status).toBe('ok');
    expect(outcome.status === 'ok' && outcome.warnings).toContain(
      'identity: the test masks mark no pixel as anomalous, so pixel AUROC and AUPRO were not computed.',
    );
    expect(outcome).not.toHaveProperty('pixelAuroc');
  });

  it('leaks no tensors', () => {
    const test = testSet(true);
    evaluateScorer(new IdentityScorer(), members, test, { batchSize: 3, bootstrapResamples: 10 });
    const before = tf.memory().numTensors;
    evaluateScorer(new IdentityScorer(), members, test, { batchSize: 3, bootstrapResamples: 10 });
    expect(() => evaluateScorer(new IdentityScorer(false), members, test, { bootstrapResamples: 10 })).toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('types the pixel metrics', () => {
    expectTypeOf<Extract<ScorerOutcome, { status: 'ok' }>['aupro']>().toEqualTypeOf<number | undefined>();
  });
});

describe('results tables pixel columns', () => {
  it('adds columns with masks', () => {
    const masked = evaluateOutcome(true);
    const rows = resultRows([masked]);
    expect(rows[0]!.pixelAuroc).toBe((masked as Extract<ScorerOutcome, { status: 'ok' }>).pixelAuroc);
    const [title] = formatResultsTable(rows).split('\n');
    expect(title).toMatch(/^scorer\s+members\s+AUROC\s+AUROC 95% CI\s+AP\s+F1-max\s+sens@spec\s+pixel AUROC\s+AUPRO$/);
    expect(formatResultsMarkdown(rows).split('\n').slice(0, 2)).toEqual([
      '| scorer | members | AUROC | AUROC 95% CI | AP | F1-max | sens@spec | pixel AUROC | AUPRO | note |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ]);
  });

  it('keeps tables without masks', () => {
    const rows = resultRows([evaluateOutcome(false)]);
    expect(rows[0]).not.toHaveProperty('pixelAuroc');
    expect(formatResultsTable(rows).split('\n')[0]).toMatch(/^scorer\s+members\s+AUROC\s+AUROC 95% CI\s+AP\s+F1-max\s+sens@spec$/);
    expect(formatResultsMarkdown(rows).split('\n').slice(0, 2)).toEqual([
      '| scorer | members | AUROC | AUROC 95% CI | AP | F1-max | sens@spec | note |',
      '|---|---:|---:|---:|---:|---:|---:|---|',
    ]);
  });
});

function evaluateOutcome(masked: boolean): ScorerOutcome {
  return evaluateScorer(new IdentityScorer(), members, testSet(masked), { bootstrapResamples: 10 });
}
