import type { Command } from 'commander';

import { evaluateRun } from '../../app/evaluate-run.js';
import { timestampedDir } from '../../app/run-dir.js';
import { trainRun } from '../../app/train-run.js';
import { validateConfig } from '../../config/load.js';
import { BackendNameSchema, type Config } from '../../config/schema.js';
import { D2ueError } from '../../errors.js';
import { formatResultsTable } from '../../report/results.js';
import { progress } from '../output.js';
import { parseCount } from './evaluate.js';
import { withStopOnSignals } from './train.js';

/** The datasets `d2ue demo` knows, as `data` config sections. */
const DEMO_DATA: Record<string, Record<string, unknown>> = {
  // One-class MNIST: digit 0 is normal, every other digit abnormal.
  mnist: { builder: 'mnist', normalClass: 0, train: 1000, testNormal: 200, testAbnormal: 200 },
};

export interface DemoOptions {
  dataset: string;
  backbone: string;
  repulsion: string;
  epochs: number;
  seed: number;
  out?: string;
  backend?: string;
  quiet?: boolean;
}

/** `d2ue demo`: builds the demo data, trains K = 3 learners with RAR, scores them and prints the table. */
export function installDemo(program: Command): void {
  program
    .command('demo')
    .description('train and score a D2UE ensemble on embedded real images (one-class MNIST, 64×64)')
    .option('--dataset <name>', `demo data: ${Object.keys(DEMO_DATA).join(', ')}`, 'mnist')
    .option('--backbone <name>', 'backbone id', 'AE')
    .option('--repulsion <name>', 'repulsion term id', 'rar')
    .option('--epochs <n>', 'epochs per member', parseCount, 10)
    .option('--seed <n>', 'run seed', parseSeed, 8)
    .option('--out <dir>', 'run folder (default: runs/demo-<timestamp>)')
    .option('--backend <name>', 'auto, gpu, node, wasm or cpu')
    .option('--quiet', 'print no progress')
    .action(async (options: DemoOptions) => {
      const config = demoConfig(options);

      const started = performance.now();
      const run = await withStopOnSignals(config, options.quiet, (signal, display) =>
        trainRun(config, { out: options.out ?? timestampedDir('runs', 'demo'), observer: display.observer, log: display.log, signal }),
      );
      const trainedSeconds = (performance.now() - started) / 1000;

      if (!options.quiet) progress('scoring the test split ...');
      const evaluation = await evaluateRun(run.runDir, { members: run.members, data: run.data });
      for (const member of run.members) member.dispose();

      const total = (performance.now() - started) / 1000;
      process.stdout.write(
        `\n${formatResultsTable(evaluation.rows)}\n\n` +
          `run folder: ${run.runDir}\n` +
          `backend ${run.backend}; training ${trainedSeconds.toFixed(0)} s, total ${total.toFixed(0)} s\n`,
      );
    });
}

/** The config `d2ue demo` runs for its options (configs/demo.yaml holds the same for the defaults). */
export function demoConfig(options: Pick<DemoOptions, 'dataset' | 'backbone' | 'repulsion' | 'epochs' | 'seed' | 'backend'>): Config {
  const data = DEMO_DATA[options.dataset];
  if (!data) {
    throw new D2ueError('config', `--dataset ${options.dataset}: unknown demo dataset; choose one of ${Object.keys(DEMO_DATA).join(', ')}.`, {
      subject: 'dataset',
    });
  }
  return validateConfig(
    {
      backbone: { name: options.backbone, imageSize: 64 },
      repulsion: { name: options.repulsion, weight: 1, tap: 4 },
      ensemble: { size: 3 },
      training: { epochs: options.epochs, batchSize: 64, learningRate: 5e-4, betas: [0.5, 0.999], seed: options.seed },
      data,
      scorers: ['reconstruction', 'output', 'dsu'],
      ...(options.backend ? { backend: BackendNameSchema.parse(options.backend) } : {}),
    },
    'd2ue demo options',
  );
}

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed)) throw new D2ueError('config', `--seed: expected a whole number, got "${value}".`, { subject: 'seed' });
  return seed;
}
