import type { Command } from 'commander';

import { trainRun } from '../../app/train-run.js';
import { timestampedDir } from '../../app/run-dir.js';
import { loadConfigFile } from '../../config/load.js';
import { BackendNameSchema } from '../../config/schema.js';
import { epochLogger, progress } from '../output.js';

/** `d2ue train --config FILE [--out DIR] [--overwrite] [--backend NAME] [--set key=value ...]`. */
export function installTrain(program: Command): void {
  program
    .command('train')
    .description('train a D2UE ensemble from a config file and write a run folder')
    .requiredOption('--config <file>', 'YAML or JSON config')
    .option('--out <dir>', 'run folder (default: runs/<name>-<timestamp>)')
    .option('--overwrite', 'replace a non-empty run folder')
    .option('--backend <name>', 'auto, gpu, node, wasm or cpu (overrides the config)')
    .option('--set <key=value...>', 'override a config key, e.g. --set training.epochs=2', collect, [])
    .option('--quiet', 'print no progress')
    .action(async (options: { config: string; out?: string; overwrite?: boolean; backend?: string; set: string[]; quiet?: boolean }) => {
      const config = loadConfigFile(options.config, options.set);
      const backend = options.backend === undefined ? undefined : BackendNameSchema.parse(options.backend);
      const out = options.out ?? timestampedDir('runs', 'train');
      const run = await trainRun(config, {
        out,
        overwrite: options.overwrite ?? false,
        ...(backend ? { backend } : {}),
        observer: epochLogger(config.ensemble.size, config.training.epochs, config.repulsion.name, config.repulsion.weight, options.quiet),
        log: options.quiet ? () => undefined : progress,
      });
      for (const member of run.members) member.dispose();
      process.stdout.write(`${run.runDir}\n`);
    });
}

/** Commander reducer for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
