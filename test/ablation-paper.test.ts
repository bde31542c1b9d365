import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { dryRunAblation, planAblation, selectBackend } from '@d2ue/core';
import { mnistBuilder } from '@d2ue/datasets';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { installAblate } from '../packages/core/src/cli/commands/ablate.js';
import { scratchDir } from './helpers/tiny.js';

const PRESET = resolve('configs/ablation/paper.yaml');

// The preset at the tiny profile's size, so that timing its steps on the cpu backend takes seconds.
const TINY = ['backbone.imageSize=32', 'backbone.widthMultiplier=0.25', 'backbone.bottleneckWidth=64', 'training.batchSize=16', 'backend=cpu'];

describe('paper preset', () => {
  let dir: string;
  const home = process.cwd();

  beforeAll(async () => {
    process.env.D2UE_CACHE = scratchDir('cache');
    await selectBackend('cpu');

    // Four Med-AD folders in the layout the preset expects (Med-AD/<name>/images, data.json), 32 normal training
    // images each, made by the MNIST builder.
    dir = scratchDir('paper');
    const first = join(dir, 'Med-AD', 'RSNA');
    await mnistBuilder.create(mnistBuilder.options.parse({ train: 32, testNormal: 8, testAbnormal: 8 }), { imageSize: 32, seed: '1' }).build(first);
    for (const name of ['VinCXR', 'BrainTumor', 'LAG']) cpSync(first, join(dir, 'Med-AD', name), { recursive: true });
    process.chdir(dir);
  });

  afterAll(() => {
    process.chdir(home);
  });

  it('expands the paper grid', () => {
    const plan = planAblation({ file: PRESET });

    expect(plan.axes.map((axis) => [axis.name, axis.values.map((value) => value.label)])).toEqual([
      ['dataset', ['RSNA', 'VinDr-CXR', 'Brain Tumor', 'LAG']],
      ['backbone', ['AE', 'MemAE', 'AE-U']],
      ['repulsion.name', ['none', 'rar']],
    ]);
    expect(plan.scorers).toEqual(['reconstruction', 'output', 'dsu']);
    expect(plan.cells).toHaveLength(24);
    const aeu = plan.cells.find((cell) => cell.label === 'dataset=LAG, backbone=AE-U, repulsion.name=rar, seed 8')!;
    expect(aeu.config).toMatchObject({ backbone: { name: 'AE-U', imageSize: 64 }, training: { learningRate: 1e-3, epochs: 250, batchSize: 64 } });
    expect(aeu.config.data.root).toBe(join(dir, 'Med-AD', 'LAG'));
  });

  it('estimates from measured steps', async () => {
    const plan = planAblation({ file: PRESET, set: TINY });
    const tensors = tf.memory().numTensors;

    const dry = await dryRunAblation(plan, { out: join(dir, 'ablations', 'paper') });

    expect(tf.memory().numTensors).toBe(tensors);
    expect(dry).toMatchObject({ cells: 24, distinctTrainings: 24, cachedTrainings: 0, backend: 'cpu' });
    expect(dry.timings.map((timing) => timing.label).sort()).toEqual(
      ['AE', 'AE-U', 'MemAE'].flatMap((backbone) => [`${backbone} 32×32, none, batch 16`, `${backbone} 32×32, rar, batch 16`]).sort(),
    );
    // 32 images / batch 16 = 2 steps per epoch; 250 epochs; member i runs with i seniors.
    for (const training of dry.trainings) {
      const cell = plan.cells.find((candidate) => candidate.label === training.label)!;
      const timing = dry.timings.find((candidate) => candidate.label === `${cell.config.backbone.name} 32×32, ${cell.config.repulsion.name}, batch 16`)!;
      const perEpoch = [0, 1, 2].reduce((sum, seniors) => sum + timing.secondsPerStep + seniors * timing.secondsPerSenior, 0);
      expect(training).toMatchObject({ members: 3, finished: 0, epochs: 250, stepsPerEpoch: 2 });
      expect(training.seconds).toBeCloseTo(perEpoch * 2 * 250, 9);
    }
  });

  it('prints the dry run', async () => {
    rmSync(join(dir, 'Med-AD', 'LAG'), { recursive: true });
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const errors = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const program = new Command('d2ue').exitOverride();
    installAblate(program);

    // A command-line axis replaces the file's axis of the same name: RAR only, so three settings are timed.
    const sets = TINY.flatMap((set) => ['--set', set]);
    await program.parseAsync(['node', 'd2ue', 'ablate', '--config', PRESET, '--dry-run', '--vary', 'repulsion.name=rar', ...sets]);

    const printed = write.mock.calls.map(([text]) => String(text)).join('');
    write.mockRestore();
    errors.mockRestore();
    expect(printed).toMatch(/^grid: dataset \(4\) × backbone \(3\) × repulsion\.name \(1\) = 12 rows × 1 seed\(s\) = 12 cells; scorer columns: reconstruction, output, dsu$/m);
    expect(printed).toMatch(/^trainings: 12 to run \(K = 3 members each\); 0 of 12 already complete in the ablation folder$/m);
    expect(printed).toMatch(/^ {2}AE-U 32×32, rar, batch 16: \d+\.\d{3} s per step, \+ \d+\.\d{3} s per senior$/m);
    expect(printed).toMatch(/^estimated training time on cpu: .+ for 9 training\(s\)\. This is an estimate: /m);
    expect(printed).toContain(`not estimated (3 training(s)): cannot read ${join(dir, 'Med-AD', 'LAG', 'data.json')}`);
    mkdirSync(join(dir, 'Med-AD', 'LAG'));
  });
});
