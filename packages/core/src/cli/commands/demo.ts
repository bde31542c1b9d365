import type { Command } from 'commander';

import { evaluateRun } from '../../app/evaluate-run.js';
import { timestampedDir } from '../../app/run-dir.js';
import { trainRun } from '../../app/train-run.js';
import { validateConfig } from '../../config/load.js';
import type { BackendName, Config } from '../../config/schema.js';
import { D2ueError } from '../../errors.js';
import { formatCkaDiagnostic } from '../../diagnostics/cka-diagnostic.js';
import { formatResultsTable } from '../../report/results.js';
import { progress } from '../output.js';
import { withStopOnSignals } from './train.js';
import { parseBackend, parseCount, parseInteger } from '../option-parsers.js';

/** One dataset of `d2ue demo`: its `data` config section and the batch size and epochs that suit its size. */
interface DemoData {
  readonly data: Record<string, unknown>;
  readonly batchSize: number;

  /** Epochs per member unless --epochs is given. */
  readonly epochs: number;
}

/** The datasets of `d2ue demo`; configs/demo.yaml and configs/demo-<dataset>.yaml contain the same settings. */
const DEMO_DATA: Record<string, DemoData> = {
  // One-class MNIST: digit 0 is normal, every other digit abnormal. Batch 64 is the paper's.
  mnist: { data: { builder: 'mnist', normalClass: 0, train: 1000, testNormal: 200, testAbnormal: 200 }, batchSize: 64, epochs: 10 },

  // Axial slices of the Colin27 T1 MRI (Debian's mricron-data) with synthetic lesions and their pixel masks. Only
  // 61 slices train, so batch 16 gives 3 steps per epoch where 64 would give none (drop-last). With 3 steps an
  // epoch, 10 epochs left reconstruction AUROC at 0.57 and 50 epochs reached 0.92 (seed 8, wasm).
  'brain-mri': { data: { builder: 'brain-mri' }, batchSize: 16, epochs: 50 },
};

/** The official configs' learning rate per backbone (cfgs/*_AEU.yaml use 1e-3, the others 5e-4). */
const PAPER_LEARNING_RATES: Record<string, number> = { AE: 5e-4, MemAE: 5e-4, 'AE-U': 1e-3 };

export interface DemoOptions {
  dataset: string;
  backbone: string;
  repulsion: string;
  epochs?: number;
  seed: number;
  out?: string;
  backend?: string;
  quiet?: boolean;
}

/** `d2ue demo`: builds the demo data, trains K = 3 learners with RAR, scores them and prints the table. */
export function installDemo(program: Command): void {
  program
    .command('demo')
    .description('train and score a D2UE ensemble on real images (one-class MNIST, or brain MRI slices with synthetic lesions; 64×64)')
    .option('--dataset <name>', `demo data: ${Object.keys(DEMO_DATA).join(', ')}`, 'mnist')
    .option('--backbone <name>', 'backbone id', 'AE')
    .option('--repulsion <name>', 'repulsion term id', 'rar')
    .option('--epochs <n>', 'epochs per member (default: 10 for mnist, 50 for brain-mri)', parseCount)
    .option('--seed <n>', 'run seed', parseInteger, 8)
    .option('--out <dir>', 'run folder (default: runs/demo-<timestamp>)')
    .option('--backend <name>', 'auto, gpu, node, wasm or cpu', parseBackend)
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
          (evaluation.cka ? `${formatCkaDiagnostic(evaluation.cka)}\n\n` : '') +
          `run folder: ${run.runDir}\n` +
          `backend ${run.backend}; training ${trainedSeconds.toFixed(0)} s, total ${total.toFixed(0)} s\n`,
      );
    });
}

/**
 * Builds the config `d2ue demo` runs for its options. configs/demo.yaml contains the same for the defaults, and
 * configs/demo-brain-mri.yaml for `--dataset brain-mri`.
 */
export function demoConfig(options: Pick<DemoOptions, 'dataset' | 'backbone' | 'repulsion' | 'epochs' | 'seed' | 'backend'>): Config {
  // hasOwn: a name such as "constructor" must not reach Object.prototype.
  const demo = Object.hasOwn(DEMO_DATA, options.dataset) ? DEMO_DATA[options.dataset] : undefined;
  if (!demo) {
    throw new D2ueError('config', `--dataset ${options.dataset}: unknown demo dataset; choose one of ${Object.keys(DEMO_DATA).join(', ')}.`, {
      subject: 'dataset',
    });
  }
  return validateConfig(
    {
      backbone: { name: options.backbone, imageSize: 64 },
      repulsion: { name: options.repulsion, weight: 1, tap: 4 },
      ensemble: { size: 3 },
      training: {
        epochs: options.epochs ?? demo.epochs,
        batchSize: demo.batchSize,
        learningRate: PAPER_LEARNING_RATES[options.backbone] ?? 5e-4,
        betas: [0.5, 0.999],
        seed: options.seed,
      },
      data: demo.data,
      scorers: ['reconstruction', 'output', 'dsu'],
      ...(options.backend ? { backend: (options.backend as BackendName) } : {}),
    },
    'd2ue demo options',
  );
}
