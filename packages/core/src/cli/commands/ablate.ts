import type { Command } from 'commander';

import { dryRunAblation, formatDryRun } from '../../ablation/estimate.js';
import { formatAblationMarkdown } from '../../ablation/format.js';
import { parseSeeds } from '../../ablation/grid.js';
import { defaultAblationDir } from '../../ablation/index.js';
import { planAblation } from '../../ablation/plan.js';
import { progressLine } from '../../ablation/progress.js';
import { runAblation } from '../../ablation/run.js';
import type { BackendName } from '../../config/schema.js';
import { D2ueError } from '../../errors.js';
import { progress } from '../output.js';
import { collect } from './train.js';
import { parseBackend } from '../option-parsers.js';

/** The options of `d2ue ablate` as commander parses them. */
export interface AblateOptions {
  config: string;
  vary: string[];
  seeds?: number[];
  set: string[];
  out?: string;
  backend?: string;
  continueOnError?: boolean;
  dryRun?: boolean;
  quiet?: boolean;
}

/**
 * `d2ue ablate --config FILE --vary key=v1,v2 ... [--seeds 1,2,3] [--out DIR] [--continue-on-error] [--dry-run]`:
 * runs the grid and prints the Markdown table on stdout; progress goes to stderr.
 *
 * @example
 * installAblate(new Command('d2ue'));
 */
export function installAblate(program: Command): void {
  program
    .command('ablate')
    .description('run a grid of config swaps and write paper-ready tables (JSON, CSV, Markdown, LaTeX); see docs/ablation.md')
    .requiredOption('--config <file>', 'base config (YAML or JSON), optionally with an ablation: section')
    .option('--vary <key=v1,v2>', 'an axis: a config key and its values, read as YAML (repeatable)', collect, [])
    .option('--seeds <list>', 'run seeds each cell is averaged over, e.g. 1,2,3 (replaces ablation.seeds)', parseSeeds)
    .option('--set <key=value>', 'override a key of the base config, e.g. --set training.epochs=2 (repeatable)', collect, [])
    .option('--out <dir>', 'ablation folder (default: ablations/<config file name>)')
    .option('--backend <name>', 'auto, gpu, node, wasm or cpu (overrides the config)', parseBackend)
    .option('--continue-on-error', 'exit 0 even when cells failed (they are still shown as failed)')
    .option('--dry-run', 'print the number of trainings and an estimated time; train nothing')
    .option('--quiet', 'print no progress')
    .action(async (options: AblateOptions) => {
      const plan = planAblation({ file: options.config, vary: options.vary, set: options.set, ...(options.seeds ? { seeds: options.seeds } : {}) });
      const out = options.out ?? defaultAblationDir(options.config);
      const backend = options.backend === undefined ? undefined : (options.backend as BackendName);
      const log = options.quiet ? () => undefined : progress;

      if (options.dryRun) {
        const dry = await dryRunAblation(plan, { out, ...(backend ? { backend } : {}), log });
        process.stdout.write(formatDryRun(plan, dry));
        return;
      }

      log(`ablation: ${plan.cells.length} cells (${plan.rows.length} rows × ${plan.seeds.length} seed(s)) into ${out}`);
      const outcome = await runAblation(plan, {
        out,
        ...(backend ? { backend } : {}),
        log: (line) => log(`  ${line}`),
        onCell: (cell) => log(progressLine(cell)),
      });
      process.stdout.write(formatAblationMarkdown(outcome.table));
      log(`tables: ${outcome.files.join(', ')}`);

      if (outcome.failures.length > 0) {
        const cells = new Set(outcome.failures.map((failure) => failure.cell)).size;
        const message = `${outcome.failures.length} scorer result(s) in ${cells} cell(s) failed; the tables show them as "failed" with the reason.`;
        if (options.continueOnError) {
          log(`NOTE: ${message}`);
          return;
        }
        throw new D2ueError('run', `${message} Fix the cause and rerun (finished cells are kept), or pass --continue-on-error to accept them.`, {
          subject: out,
        });
      }
    });
}
