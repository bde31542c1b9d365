import { join, resolve } from 'node:path';

import type { Command } from 'commander';

import { trainRun, type TrainedRun, type TrainRunOptions } from '../../app/train-run.js';
import { resumableRunDir, timestampedDir } from '../../app/run-dir.js';
import { loadConfigFile, validateConfig } from '../../config/load.js';
import type { BackendName, Config } from '../../config/schema.js';
import { D2ueError } from '../../errors.js';
import { MANIFEST_FILE, readManifest } from '../../run/manifest.js';
import { stopOnSignals } from '../../training/stop.js';
import { trainingProgress, type TrainingProgress } from '../output.js';
import { parseBackend } from '../option-parsers.js';

interface TrainOptions {
  config?: string;
  out?: string;
  resume?: string;
  overwrite?: boolean;
  backend?: string;
  set: string[];
  quiet?: boolean;
}

/** `d2ue train --config FILE [--out DIR] [--resume DIR | --overwrite] [--backend NAME] [--set key=value ...]`. */
export function installTrain(program: Command): void {
  program
    .command('train')
    .description('train a D2UE ensemble from a config file and write a run folder; --resume continues a stopped run')
    .option('--config <file>', 'YAML or JSON config (required unless --resume)')
    .option('--out <dir>', 'run folder (default: runs/<name>-<timestamp>)')
    .option('--resume <dir>', "continue the run in DIR from its latest checkpoint, with the run's own config")
    .option('--overwrite', 'replace a non-empty run folder')
    .option('--backend <name>', 'auto, gpu, node, wasm or cpu (overrides the config)', parseBackend)
    .option('--set <key=value...>', 'override a config key, e.g. --set training.epochs=2', collect, [])
    .option('--quiet', 'print no progress')
    .action(async (options: TrainOptions) => {
      const backend = options.backend === undefined ? undefined : (options.backend as BackendName);
      const { config, target } = planTrain(options);
      const run = await withStopOnSignals(config, options.quiet, (signal, display) =>
        trainRun(config, { ...target, observer: display.observer, log: display.log, signal, ...(backend ? { backend } : {}) }),
      );
      for (const member of run.members) member.dispose();
      process.stdout.write(`${run.runDir}\n`);
    });
}

/** Chooses the config and run folder of `train`: a new run from --config, or --resume DIR with the run's own config. */
function planTrain(options: TrainOptions): { config: Config; target: Pick<TrainRunOptions, 'out' | 'overwrite' | 'resume'> } {
  if (options.resume === undefined) {
    if (options.config === undefined) {
      throw new D2ueError('config', 'd2ue train: give --config FILE to start a run, or --resume DIR to continue one.', { subject: '--config' });
    }
    const config = loadConfigFile(options.config, options.set);
    return { config, target: { out: options.out ?? timestampedDir('runs', 'train'), overwrite: options.overwrite ?? false } };
  }

  const dir = resumableRunDir(options.resume);
  if (options.out !== undefined && resolve(options.out) !== dir) {
    throw new D2ueError('config', `--out ${options.out} and --resume ${options.resume} name different folders; --resume alone names the run.`, {
      subject: '--out',
    });
  }
  if (options.overwrite) {
    throw new D2ueError('config', '--resume and --overwrite exclude each other: --resume continues the run, --overwrite deletes it.', {
      subject: '--overwrite',
    });
  }
  if (options.config === undefined && options.set.length > 0) {
    throw new D2ueError('config', '--set needs --config; a resumed run keeps its own config.', { subject: '--set' });
  }

  // A given config must equal the run's (trainRun checks); without one, the manifest's is used.
  const manifestFile = join(dir, MANIFEST_FILE);
  const config = options.config === undefined ? validateConfig(readManifest(dir).config, manifestFile) : loadConfigFile(options.config, options.set);
  return { config, target: { out: dir, resume: true } };
}

/**
 * Runs training with the progress display and turns SIGINT/SIGTERM into a clean stop. The trainer then finishes its
 * step and saves a checkpoint, and the error it throws tells how to resume.
 */
export async function withStopOnSignals(
  config: Config,
  quiet: boolean | undefined,
  train: (signal: AbortSignal, display: TrainingProgress) => Promise<TrainedRun>,
): Promise<TrainedRun> {
  const display = trainingProgress({
    ensembleSize: config.ensemble.size,
    epochs: config.training.epochs,
    repulsionId: config.repulsion.name,
    weight: config.repulsion.weight,
    quiet: quiet ?? false,
  });
  const stop = stopOnSignals(
    (signal) => display.log(`${signal}: finishing the current step, then saving a checkpoint (send ${signal} again to quit without saving)`),
    () => display.stop(),
  );
  try {
    return await train(stop.signal, display);
  } finally {
    stop.dispose();
    display.stop();
  }
}

/** Commander reducer for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
