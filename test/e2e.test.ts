import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { evaluateRun, hashFile, readManifest, trainRun, type ScorerOutcome, type TrainedRun } from '@d2ue/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { scratchDir, tinyConfig } from './helpers/tiny.js';

/** Image scores by id of one ok outcome. */
function scoresOf(outcome: ScorerOutcome): Map<string, number> {
  if (outcome.status !== 'ok') throw new Error(`${outcome.scorer} is n/a`);
  return new Map(outcome.scores.map((entry) => [entry.id, entry.score]));
}

describe('train then evaluate', () => {
  let run: TrainedRun;
  let inMemory: Awaited<ReturnType<typeof evaluateRun>>;
  let tensorsBefore: number;

  beforeAll(async () => {
    process.env.D2UE_CACHE = scratchDir('cache');
    run = await trainRun(tinyConfig(), { out: join(scratchDir('run'), 'tiny') });
    tensorsBefore = tf.memory().numTensors;
    inMemory = await evaluateRun(run.runDir, { members: run.members, data: run.data });
  });

  afterAll(() => {
    for (const member of run.members) member.dispose();
  });

  it('writes the run folder', () => {
    const manifest = readManifest(run.runDir);

    expect(manifest.members.map((member) => member.index)).toEqual([0, 1, 2]);
    expect(manifest.backend).toBe('cpu');
    expect(manifest.data).toMatchObject({ train: 128, test: 64 });
    for (const member of manifest.members) {
      expect(hashFile(join(run.runDir, member.weights))).toBe(member.sha256);
      const epochs = readFileSync(join(run.runDir, 'members', String(member.index), 'metrics.jsonl'), 'utf8').trim().split('\n');
      expect(epochs).toHaveLength(2);
    }
    expect(new Set(manifest.members.map((member) => member.sha256)).size).toBe(3);
    for (const scorer of ['reconstruction', 'output', 'dsu']) expect(existsSync(join(run.runDir, 'scores', `${scorer}.k3.json`))).toBe(true);
  });

  it('logs repulsion for seniors only', () => {
    const epochs = (member: number): Array<{ repulsion: number }> =>
      readFileSync(join(run.runDir, 'members', String(member), 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(epochs(0).every((epoch) => epoch.repulsion === 0)).toBe(true);
    expect(epochs(2).every((epoch) => epoch.repulsion > 0 && epoch.repulsion <= 1)).toBe(true);
  });

  it('scores better than chance', () => {
    const reconstruction = inMemory.outcomes.find((outcome) => outcome.scorer === 'reconstruction')!;
    expect(reconstruction.status).toBe('ok');
    // Two epochs at 32×32 already separate digit 0 from the others by reconstruction error (0.85 when measured).
    expect(reconstruction.status === 'ok' && reconstruction.auroc).toBeGreaterThan(0.7);
  });

  it('reloads identical scores', async () => {
    const reloaded = await evaluateRun(run.runDir);
    for (const [i, outcome] of reloaded.outcomes.entries()) {
      const expected = scoresOf(inMemory.outcomes[i]!);
      for (const [id, score] of scoresOf(outcome)) expect(score, `${outcome.scorer} ${id}`).toBeCloseTo(expected.get(id)!, 5);
    }
  });

  it('loads only manifest members', async () => {
    // A stray checkpoint in the folder must not join the ensemble (the official code loads every file it finds).
    mkdirSync(join(run.runDir, 'members', '3'), { recursive: true });
    copyFileSync(join(run.runDir, 'members', '0', 'weights.safetensors'), join(run.runDir, 'members', '3', 'weights.safetensors'));

    const result = await evaluateRun(run.runDir, { scorers: ['output'] });
    expect(result.rows).toEqual([expect.objectContaining({ scorer: 'output', members: 3 })]);
  });

  it('takes the first k members', async () => {
    const result = await evaluateRun(run.runDir, { ensembleSize: 1 });

    expect(result.rows.map((row) => [row.scorer, row.members, row.auroc === null])).toEqual([
      ['reconstruction', 1, false],
      ['output', 1, true],
      ['dsu', 1, true],
    ]);
    expect(result.rows[1]!.note).toMatch(/needs at least 2 members, the ensemble has 1/);
    expect(existsSync(join(run.runDir, 'scores', 'reconstruction.k1.json'))).toBe(true);
  });

  it('rejects too large k', async () => {
    await expect(evaluateRun(run.runDir, { ensembleSize: 4 })).rejects.toThrow(/--ensemble-size 4: the run lists 3 trained members; choose 1\.\.3/);
  });

  it('leaks no tensors evaluating', async () => {
    await evaluateRun(run.runDir, { members: run.members, data: run.data, scorers: ['dsu'] });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('trainRun input checks', () => {
  beforeAll(() => {
    process.env.D2UE_CACHE ??= scratchDir('cache');
  });

  it('rejects batch 1 with RAR', async () => {
    const config = tinyConfig({ training: { epochs: 1, batchSize: 1 } });
    await expect(trainRun(config, { out: join(scratchDir('run'), 'b1') })).rejects.toThrow(
      /training\.batchSize: repulsion "rar" needs batches of at least 2 images, got 1/,
    );
  });

  it('rejects a split below one batch', async () => {
    const config = tinyConfig({ data: { builder: 'mnist', train: 10, testNormal: 4, testAbnormal: 4 } });
    await expect(trainRun(config, { out: join(scratchDir('run'), 'small') })).rejects.toThrow(
      /training\.batchSize: the training split has 10 images, fewer than one batch of 16/,
    );
  });

  it('rejects an unknown backbone', async () => {
    const config = tinyConfig({ backbone: { name: 'VAE' } });
    await expect(trainRun(config, { out: join(scratchDir('run'), 'vae') })).rejects.toThrow(
      /backbone\.name: no backbone plug-in named "VAE"\. Registered: AE, MemAE, AE-U\./,
    );
  });

  it('rejects a misspelt backbone option', async () => {
    const config = tinyConfig({ backbone: { name: 'AE', imageSize: 32, latentSise: 8 } });
    await expect(trainRun(config, { out: join(scratchDir('run'), 'typo') })).rejects.toThrow(/backbone: Unrecognized key: "latentSise"/);
  });

  it('refuses a non-run folder', async () => {
    const out = scratchDir('run');
    mkdirSync(join(out, 'members'));
    await expect(trainRun(tinyConfig(), { out })).rejects.toThrow(/is not empty and holds no d2ue run \(no manifest\.json\); choose a new or empty --out folder/);
  });

  it('never deletes a non-run folder', async () => {
    const out = scratchDir('data');
    writeFileSync(join(out, 'data.json'), '{}');
    await expect(trainRun(tinyConfig(), { out, overwrite: true })).rejects.toThrow(/d2ue never deletes a folder that is not a run, even with --overwrite/);
    expect(existsSync(join(out, 'data.json'))).toBe(true);
  });
});
