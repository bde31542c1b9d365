import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { Ae, AeOptionsSchema } from '@d2ue/backbones';
import { evaluateRun, evaluateScorer, readManifest, trainRun, type ImageSet, type ResultRow, type TrainedRun } from '@d2ue/core';
import { OutputScorer } from '@d2ue/uncertainty';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { buildProgram } from '../packages/core/src/cli/program.js';
import { scratchDir, tinyConfig } from './helpers/tiny.js';

/** Runs `d2ue ARGS...` in process and returns what it printed to stdout. */
async function d2ue(...args: string[]): Promise<string> {
  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await (await buildProgram()).parseAsync(['node', 'd2ue', ...args]);
  } finally {
    write.mockRestore();
    quiet.mockRestore();
  }
  return chunks.join('');
}

describe('evaluating a trained run', () => {
  let run: TrainedRun;

  beforeAll(async () => {
    process.env.D2UE_CACHE = scratchDir('cache');
    run = await trainRun(tinyConfig({ training: { epochs: 1, batchSize: 16, seed: 8 } }), { out: join(scratchDir('run'), 'tiny') });
    for (const member of run.members) member.dispose();
  });

  it('keeps the first scorer', async () => {
    await evaluateRun(run.runDir, { scorers: ['dsu'], bootstrapResamples: 50 });
    const dsuFile = join(run.runDir, 'scores', 'dsu.k3.json');
    const dsuBefore = readFileSync(dsuFile, 'utf8');
    const mtime = statSync(dsuFile).mtimeMs;

    const second = await evaluateRun(run.runDir, { scorers: ['output', 'gradient'], bootstrapResamples: 50 });
    expect(second.rows.map((row) => row.scorer)).toEqual(['output', 'gradient']);
    expect(readFileSync(dsuFile, 'utf8')).toBe(dsuBefore);
    expect(statSync(dsuFile).mtimeMs).toBe(mtime);

    const stored = JSON.parse(readFileSync(join(run.runDir, 'reports', 'results.k3.json'), 'utf8')) as ResultRow[];
    expect(stored.map((row) => row.tag)).toEqual(['dsu', 'output', 'gradient']);
    expect(readFileSync(join(run.runDir, 'reports', 'results.k3.md'), 'utf8')).toMatch(/\| dsu \| 3 \|/);

    // The shared ROC chart shows the scorer evaluated first as well.
    expect(readFileSync(join(run.runDir, 'reports', 'plots', 'roc.k3.svg'), 'utf8')).toMatch(/dsu \(AUC \d\.\d{3}\)/);
  });

  it('stores the extended metrics', () => {
    const saved = JSON.parse(readFileSync(join(run.runDir, 'scores', 'dsu.k3.json'), 'utf8'));
    expect(saved.scores).toHaveLength(64);
    expect(saved.scores[0]).toEqual({ id: expect.any(String), label: 0, score: expect.any(Number) });
    expect(saved.f1Max).toBeGreaterThan(0);
    expect(saved.sensitivityAtSpecificity.target).toBe(0.95);
    expect(saved.aurocCi.low).toBeLessThanOrEqual(saved.auroc);
    expect(saved.aurocCi.high).toBeGreaterThanOrEqual(saved.auroc);
    expect(saved.warnings).toEqual([]);
  });

  it('separates scorer options', async () => {
    await evaluateRun(run.runDir, { scorers: [{ name: 'single', member: 1 }, { name: 'single', member: 7 }], plots: false });
    const names = readdirSync(join(run.runDir, 'scores')).filter((name) => name.startsWith('single.'));
    expect(names).toHaveLength(2);
    const stored = JSON.parse(readFileSync(join(run.runDir, 'reports', 'results.k3.json'), 'utf8')) as ResultRow[];
    const single = stored.filter((row) => row.scorer === 'single');
    expect(single.map((row) => row.auroc === null)).toEqual([false, true]);
    expect(single[1]!.note).toMatch(/needs at least 8 members \(option member = 7; members are numbered from 0\), the ensemble has 3/);
  });

  it('writes legible plots', () => {
    const plots = readdirSync(join(run.runDir, 'reports', 'plots'));
    for (const name of ['hist-dsu.k3', 'hist-output.k3', 'roc.k3', 'pr.k3', 'maps-dsu.k3', 'maps-gradient.k3']) {
      expect(plots).toContain(`${name}.png`);
      expect(plots).toContain(`${name}.svg`);
    }
  });

  it('scores new image files', async () => {
    const root = readManifest(run.runDir).data.root;
    const split = JSON.parse(readFileSync(join(root, 'data.json'), 'utf8')) as { test: { '0': string[]; '1': string[] } };
    const files = [join(root, 'images', split.test['0'][0]!), join(root, 'images', split.test['1'][0]!)];

    const output = await d2ue('score', '--run', run.runDir, '--scorers', 'reconstruction,dsu', ...files);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${files[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\treconstruction=\\d\\.\\d+(e-\\d+)? dsu=\\d\\.\\d+(e-\\d+)?$`));

    // The same images score as in the evaluation of the test split.
    const evaluated = JSON.parse(readFileSync(join(run.runDir, 'scores', 'dsu.k3.json'), 'utf8')) as { scores: { id: string; score: number }[] };
    const expected = evaluated.scores.find((entry) => entry.id === split.test['0'][0])!.score;
    expect(Number(lines[0]!.split('dsu=')[1])).toBeCloseTo(expected, 5);
  });

  it('names a missing image', async () => {
    await expect(d2ue('score', '--run', run.runDir, 'no/such/scan.png')).rejects.toThrow(
      /1 image path\(s\) are not readable files: "no\/such\/scan\.png"\. Check the paths/,
    );
  });

  it('names an unreadable image', async () => {
    const text = join(scratchDir('bad'), 'notes.txt');
    await import('node:fs').then((fs) => fs.writeFileSync(text, 'not an image'));
    await expect(d2ue('score', '--run', run.runDir, text)).rejects.toThrow(new RegExp(text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  });
});

describe('identical members', () => {
  let twins: Ae[];

  beforeAll(() => {
    const options = AeOptionsSchema.parse({ imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 });
    twins = [new Ae(options, 'twin'), new Ae(options, 'twin')];
  });

  afterAll(() => {
    for (const twin of twins) twin.dispose();
  });

  it('warn that scores tie', () => {
    const images = tf.randomUniform([8, 32, 32, 1], -1, 1, 'float32', 2);
    const test: ImageSet = { ids: 'abcdefgh'.split(''), labels: Uint8Array.from([0, 0, 0, 0, 1, 1, 1, 1]), pixels: images.dataSync() as Float32Array, size: 32 };
    images.dispose();

    const outcome = evaluateScorer(new OutputScorer(), twins, test, { bootstrapResamples: 20 });
    expect(outcome.status).toBe('ok');
    if (outcome.status !== 'ok') return;
    expect(outcome.scores.every((entry) => entry.score === 0)).toBe(true);
    expect(outcome.auroc).toBe(0.5);
    expect(outcome.warnings).toHaveLength(1);
    expect(outcome.warnings[0]).toMatch(/all 8 image scores of "output" are equal \(0\), so it cannot rank the images/);
  });
});
