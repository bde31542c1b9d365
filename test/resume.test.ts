import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import {
  CheckpointSchema,
  readCheckpoint,
  readManifest,
  restoreAdam,
  resumeRun,
  selectBackend,
  snapshotAdam,
  trainRun,
  TrainingStopped,
  type Config,
  type TrainedRun,
  type TrainingObserver,
} from '@d2ue/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { TensorCountProbe } from './helpers/leaks.js';
import { scratchDir, tinyConfig } from './helpers/tiny.js';

/** Two learners, 64 training images (4 steps of 16 per epoch), 2 epochs: every resume path, little CPU. */
function smallConfig(epochs = 2): Config {
  return tinyConfig({
    ensemble: { size: 2 },
    training: { epochs, batchSize: 16, seed: 8 },
    data: { builder: 'mnist', normalClass: 0, train: 64, testNormal: 16, testAbnormal: 16 },
  });
}

/** Reads a member's per-epoch metrics without the wall times. */
function lossesOf(runDir: string, member: number): unknown[] {
  return readFileSync(join(runDir, 'members', String(member), 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const { seconds: _seconds, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
}

function release(run: TrainedRun): TrainedRun {
  for (const member of run.members) member.dispose();
  return run;
}

/** Builds an observer that aborts once member `member` reaches `epoch`, `step` (0-based), as a SIGTERM would. */
function stopAt(member: number, epoch: number, step: number): { controller: AbortController; observer: TrainingObserver } {
  const controller = new AbortController();
  return {
    controller,
    observer: {
      onStep: (m, e, s) => {
        if (m === member && e === epoch && s === step) controller.abort('SIGTERM');
      },
    },
  };
}

describe('trainRun resume', () => {
  let reference: TrainedRun;

  beforeAll(async () => {
    process.env.D2UE_CACHE ??= scratchDir('cache');
    reference = release(await trainRun(smallConfig(), { out: join(scratchDir('run'), 'reference') }));
  });

  it('continues a mid-epoch stop exactly', async () => {
    const out = join(scratchDir('run'), 'stopped');
    const { controller, observer } = stopAt(1, 0, 1);

    const stopped = trainRun(smallConfig(), { out, observer, signal: controller.signal });
    await expect(stopped).rejects.toThrow(TrainingStopped);
    await expect(stopped).rejects.toThrow(
      /^Stopped by SIGTERM: member 1 stopped at epoch 1, step 2 of 4; .*members\/1\/checkpoint\.json holds that point\. Continue with: d2ue train --resume .*stopped$/,
    );
    const checkpoint = CheckpointSchema.parse(JSON.parse(readFileSync(join(out, 'members', '1', 'checkpoint.json'), 'utf8')));
    expect([checkpoint.epoch, checkpoint.step, checkpoint.optimizer.iterations]).toEqual([0, 2, 2]);
    const member0 = readFileSync(join(out, 'members', '0', 'weights.safetensors'));
    const metrics0 = readFileSync(join(out, 'members', '0', 'metrics.jsonl'), 'utf8');

    const lines: string[] = [];
    release(await resumeRun(out, { log: (line) => lines.push(line) }));

    expect(lines).toContainEqual(expect.stringMatching(/^member 1: resuming at epoch 1, step 3 from .*checkpoint\.json$/));
    expect(readManifest(out).members.map((m) => m.sha256)).toEqual(reference.manifest.members.map((m) => m.sha256));
    expect(readFileSync(join(out, 'members', '0', 'weights.safetensors')).equals(member0)).toBe(true);
    expect(readFileSync(join(out, 'members', '0', 'metrics.jsonl'), 'utf8')).toBe(metrics0);
    expect(lossesOf(out, 1)).toEqual(lossesOf(reference.runDir, 1));
  });

  it('restarts after a torn checkpoint', async () => {
    const out = join(scratchDir('run'), 'torn');
    const { controller, observer } = stopAt(1, 1, 0);
    await expect(trainRun(smallConfig(), { out, observer, signal: controller.signal })).rejects.toThrow(/member 1 stopped at epoch 2, step 1 of 4/);

    // A kill between the two renames leaves new tensors next to the old description.
    const tensors = join(out, 'members', '1', 'checkpoint.safetensors');
    const bytes = readFileSync(tensors);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(tensors, bytes);
    expect(readCheckpoint(out, 1)).toMatchObject({ status: 'unusable', problem: expect.stringMatching(/interrupted/) });

    const lines: string[] = [];
    release(await resumeRun(out, { log: (line) => lines.push(line) }));

    expect(lines).toContainEqual(expect.stringMatching(/member 1: .*does not have the SHA-256 .*; it restarts from epoch 1$/));
    expect(readManifest(out).members.map((m) => m.sha256)).toEqual(reference.manifest.members.map((m) => m.sha256));
    expect(lossesOf(out, 1)).toEqual(lossesOf(reference.runDir, 1));
  });

  it('reports a stop before training', async () => {
    const controller = new AbortController();
    controller.abort('SIGINT');
    const out = join(scratchDir('run'), 'early');

    await expect(trainRun(smallConfig(), { out, signal: controller.signal })).rejects.toThrow(
      /^Stopped by SIGINT: no member had started\. Continue with: d2ue train --resume /,
    );
    expect(readCheckpoint(out, 0)).toEqual({ status: 'none' });
  });

  it('loads a finished run untouched', async () => {
    const before = readFileSync(join(reference.runDir, 'members', '1', 'weights.safetensors'));
    const run = release(await resumeRun(reference.runDir));

    expect(run.members).toHaveLength(2);
    expect(readManifest(reference.runDir).resumedAt).toHaveLength(1);
    expect(readFileSync(join(reference.runDir, 'members', '1', 'weights.safetensors')).equals(before)).toBe(true);
  });

  it('refuses a changed config', async () => {
    await expect(trainRun(smallConfig(3), { out: reference.runDir, resume: true })).rejects.toThrow(
      /--resume .*reference: the config differs from the run's at "training\.epochs" \(run: 2, given: 3\)\. Resume without --config/,
    );
  });

  it('refuses a used folder', async () => {
    await expect(trainRun(smallConfig(), { out: reference.runDir })).rejects.toThrow(
      /reference is not empty; choose another --out folder, or pass --overwrite to replace it, or continue the run it holds with "d2ue train --resume .*reference"/,
    );
  });

  it('rejects resume with overwrite', async () => {
    await expect(trainRun(smallConfig(), { out: reference.runDir, resume: true, overwrite: true })).rejects.toThrow(
      /--resume and --overwrite exclude each other/,
    );
  });

  it('rejects resume without a run', async () => {
    const out = scratchDir('run');
    await expect(resumeRun(out)).rejects.toThrow(/--resume .*: no manifest\.json there, so no run was started in it/);
  });

  it('keeps tensors flat over epochs', async () => {
    const probe = new TensorCountProbe();
    const config = tinyConfig({
      ensemble: { size: 2 },
      training: { epochs: 5, batchSize: 16, seed: 3 },
      data: { builder: 'mnist', normalClass: 0, train: 16, testNormal: 16, testAbnormal: 16 },
    });

    const run = await trainRun(config, { out: join(scratchDir('run'), 'flat'), observer: { onEpochEnd: (record) => record.member === 1 && probe.record() } });
    release(run);

    // Member 1 trains next to a senior, so both the junior's and the senior's passes are covered.
    expect(probe.counts).toHaveLength(5);
    probe.expectFlat('numTensors at the end of each of member 1\'s epochs');
  });
});

describe('restoreAdam', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('continues Adam bit for bit', async () => {
    // Ten steps on a quadratic, with a snapshot after four restored into a second optimizer.
    const target = tf.tensor1d([3, -2, 0.5]);
    const loss = (v: tf.Variable) => () => tf.sum(tf.square(tf.sub(v, target))) as tf.Scalar;
    const a = tf.variable(tf.zeros([3]));
    const b = tf.variable(tf.zeros([3]));
    const first = tf.train.adam(0.1, 0.5, 0.999, 1e-8);
    for (let i = 0; i < 4; i++) tf.dispose(first.minimize(loss(a), false, [a]));

    const snapshot = await snapshotAdam(first);
    const copied = { iterations: snapshot.iterations, arrays: new Map([...snapshot.arrays].map(([k, v]) => [k, { shape: v.shape, data: v.data.slice() }])) };
    b.assign(a);
    const second = tf.train.adam(0.1, 0.5, 0.999, 1e-8);
    await restoreAdam(second, copied, [b], 'test');
    for (let i = 0; i < 6; i++) {
      tf.dispose(first.minimize(loss(a), false, [a]));
      tf.dispose(second.minimize(loss(b), false, [b]));
    }

    expect(copied.iterations).toBe(4);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([target, a, b]);
    first.dispose();
    second.dispose();
  });

  it('rejects mismatched moments', async () => {
    const v = tf.variable(tf.zeros([2, 2]));
    const optimizer = tf.train.adam(0.1);
    const snapshot = { iterations: 1, arrays: new Map([['adam.m.0000', { shape: [4], data: new Float32Array(4) }]]) };

    await expect(restoreAdam(optimizer, snapshot, [v], 'members/1/checkpoint.json')).rejects.toThrow(
      /members\/1\/checkpoint\.json: the Adam state has "adam\.m\.0000" of shape \[4\], expected \[2,2\]; the checkpoint belongs to another backbone or config/,
    );
    v.dispose();
    optimizer.dispose();
  });

  it('types the snapshot', () => {
    expectTypeOf(snapshotAdam).returns.resolves.toHaveProperty('iterations').toEqualTypeOf<number>();
  });
});
