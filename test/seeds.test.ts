import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { aeBackbone, aeUBackbone, Ae, AeOptionsSchema, memAeBackbone } from '@d2ue/backbones';
import {
  evaluateRun,
  memberSeeds,
  readManifest,
  selectBackend,
  trainingStep,
  trainRun,
  type BackboneDescriptor,
  type Config,
  type ScorerOutcome,
  type TrainedRun,
} from '@d2ue/core';
import { Rar, RarOptionsSchema } from '@d2ue/repulsion';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';

import { expectNoTensorLeak } from './helpers/leaks.js';
import { scratchDir, tinyConfig } from './helpers/tiny.js';

const ALL_SCORERS = ['reconstruction', 'output', 'gradient', 'dsu', 'single'];

/** Two learners, one epoch of 2 steps: enough to tell seeds apart, and every scorer has its two members. */
function seededConfig(seed: number, test = 8): Config {
  return tinyConfig({
    ensemble: { size: 2 },
    training: { epochs: 1, batchSize: 16, seed },
    data: { builder: 'mnist', normalClass: 0, train: 32, testNormal: test, testAbnormal: test },
    scorers: ALL_SCORERS,
  });
}

function scoresOf(outcomes: readonly ScorerOutcome[]): unknown[] {
  return outcomes.map((outcome) => (outcome.status === 'ok' ? [outcome.scorer, outcome.scores] : [outcome.scorer, 'n/a']));
}

/** Builds a backbone and returns each state-dict entry's values as a plain array. */
function valuesOf(descriptor: BackboneDescriptor, seed: string): Map<string, number[]> {
  const backbone = descriptor.create(descriptor.options.parse({ imageSize: 32, widthMultiplier: 0.25 }), { seed });
  const state = backbone.stateDict();
  const values = new Map([...state].map(([name, tensor]) => [name, Array.from(tensor.dataSync())]));
  tf.dispose([...state.values()]);
  backbone.dispose();
  return values;
}

describe('member seeds', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('derives one seed per purpose', () => {
    expect(memberSeeds(8, 1)).toEqual({ init: '8/member/1/init', shuffle: '8/member/1/shuffle' });
    expectTypeOf(memberSeeds).returns.toHaveProperty('init').toEqualTypeOf<string>();
  });

  it.each([aeBackbone, memAeBackbone, aeUBackbone] as unknown as BackboneDescriptor[])('starts $id members apart', (descriptor) => {
    const members = [0, 1, 2].map((member) => valuesOf(descriptor, memberSeeds(8, member).init));

    // Every randomly initialised tensor (not a constant such as BatchNorm's γ = 1) differs between any two members.
    const random = [...members[0]!].filter(([, values]) => new Set(values).size > 1).map(([name]) => name);
    expect(random.length).toBeGreaterThan(10);
    for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) {
      const same = random.filter((name) => members[a]!.get(name)!.every((value, i) => value === members[b]!.get(name)![i]));
      expect(same, `members ${a} and ${b}`).toEqual([]);
    }
  });

  it('repeats a seed exactly', () => {
    const once = valuesOf(aeBackbone as unknown as BackboneDescriptor, memberSeeds(8, 1).init);
    const twice = valuesOf(aeBackbone as unknown as BackboneDescriptor, memberSeeds(8, 1).init);
    expect([...twice]).toEqual([...once]);
  });
});

describe('seeded training runs', () => {
  let guarded: TrainedRun;
  let guardedScores: unknown[];

  beforeAll(async () => {
    process.env.D2UE_CACHE ??= scratchDir('cache');

    // Nothing on the training or scoring path may draw from Math.random (its sequence is not reproducible).
    const random = vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random used');
    });
    try {
      guarded = await trainRun(seededConfig(7), { out: join(scratchDir('run'), 'seed7') });
      guardedScores = scoresOf((await evaluateRun(guarded.runDir, { members: guarded.members, data: guarded.data })).outcomes);
    } finally {
      random.mockRestore();
    }
    expect(random).not.toHaveBeenCalled();
  });

  afterAll(() => {
    for (const member of guarded.members) member.dispose();
  });

  it('records distinct member seeds', () => {
    const manifest = readManifest(guarded.runDir);

    expect(manifest.members.map((member) => member.seeds)).toEqual([memberSeeds(7, 0), memberSeeds(7, 1)]);
    expect(manifest.members[0]!.sha256).not.toBe(manifest.members[1]!.sha256);
  });

  it('repeats seed 7 exactly', async () => {
    const again = await trainRun(seededConfig(7), { out: join(scratchDir('run'), 'seed7-again') });
    const scores = scoresOf((await evaluateRun(again.runDir)).outcomes);
    for (const member of again.members) member.dispose();

    expect(readManifest(again.runDir).members.map((m) => m.sha256)).toEqual(guarded.manifest.members.map((m) => m.sha256));
    expect(scores).toEqual(guardedScores);
  });

  it('separates seeds 7 and 8', async () => {
    const other = await trainRun(seededConfig(8), { out: join(scratchDir('run'), 'seed8') });
    const scores = scoresOf((await evaluateRun(other.runDir)).outcomes);
    for (const member of other.members) member.dispose();

    const hashes = readManifest(other.runDir).members.map((m) => m.sha256);
    const reference = guarded.manifest.members.map((m) => m.sha256);
    expect(hashes[0]).not.toBe(reference[0]);
    expect(hashes[1]).not.toBe(reference[1]);
    expect(scores).not.toEqual(guardedScores);
  });

  it('leaks nothing scoring 200 images', async () => {
    // 200 test images, scored by every scorer.
    const wide = await trainRun(seededConfig(7, 100), { out: join(scratchDir('run'), 'wide') });
    try {
      expect(wide.data.test.ids).toHaveLength(200);
      await expectNoTensorLeak(() => evaluateRun(wide.runDir, { members: wide.members, data: wide.data, scorers: ALL_SCORERS }), 1, 'numTensors scoring');
    } finally {
      for (const member of wide.members) member.dispose();
    }
  });

  it('leaks nothing per training step', async () => {
    const options = AeOptionsSchema.parse({ imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 });
    const senior = new Ae(options, memberSeeds(1, 0).init);
    const junior = new Ae(options, memberSeeds(1, 1).init);
    const batch = tf.randomUniform([8, 32, 32, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
    const optimizer = tf.train.adam(5e-4, 0.5, 0.999, 1e-8);
    const repulsion = new Rar(RarOptionsSchema.parse({}));

    await expectNoTensorLeak(() => trainingStep({ junior, seniors: [senior], batch, repulsion, weight: 1, tap: 4, optimizer }), 3, 'numTensors per step');

    tf.dispose(batch);
    optimizer.dispose();
    senior.dispose();
    junior.dispose();
  });
});
