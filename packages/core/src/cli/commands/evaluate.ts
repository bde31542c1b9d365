import type { Command } from 'commander';

import { evaluateRun } from '../../app/evaluate-run.js';
import { BackendNameSchema } from '../../config/schema.js';
import { D2ueError } from '../../errors.js';
import { formatCkaDiagnostic } from '../../diagnostics/cka-diagnostic.js';
import { formatResultsTable } from '../../report/results.js';

/** `d2ue evaluate --run DIR [--scorers a,b] [--ensemble-size k] [--backend NAME]`. */
export function installEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('score the test split of a trained run and print AUROC, AP, F1-max and sensitivity per scorer, and the members\' pairwise CKA')
    .requiredOption('--run <dir>', 'run folder written by d2ue train or d2ue demo')
    .option('--scorers <ids>', 'comma-separated scorer ids (default: the run config\'s)')
    .option('--ensemble-size <k>', 'use the first k members of the run', parseCount)
    .option('--backend <name>', 'auto, gpu, node, wasm or cpu')
    .action(async (options: { run: string; scorers?: string; ensembleSize?: number; backend?: string }) => {
      const result = await evaluateRun(options.run, {
        ...(options.scorers ? { scorers: options.scorers.split(',').map((id) => id.trim()).filter(Boolean) } : {}),
        ...(options.ensembleSize !== undefined ? { ensembleSize: options.ensembleSize } : {}),
        ...(options.backend ? { backend: BackendNameSchema.parse(options.backend) } : {}),
      });
      process.stdout.write(`${formatResultsTable(result.rows)}\n`);
      if (result.cka) process.stdout.write(`\n${formatCkaDiagnostic(result.cka)}\n`);
    });
}

/** Parses a positive whole number for a CLI option. */
export function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) {
    throw new D2ueError('config', `expected a whole number ≥ 1, got "${value}".`, { subject: value });
  }
  return count;
}
