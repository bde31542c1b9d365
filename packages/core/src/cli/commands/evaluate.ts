import type { Command } from 'commander';

import { evaluateRun } from '../../app/evaluate-run.js';
import { readManifest } from '../../run/manifest.js';
import { progress } from '../output.js';
import type { BackendName } from '../../config/schema.js';
import { formatCkaDiagnostic } from '../../diagnostics/cka-diagnostic.js';
import { formatResultsTable } from '../../report/results.js';
import { parseBackend, parseCount } from '../option-parsers.js';

/** `d2ue evaluate --run DIR [--scorers a,b] [--ensemble-size k] [--backend NAME]`. */
export function installEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('score the test split of a trained run and print AUROC, AP, F1-max and sensitivity per scorer, and the members\' pairwise CKA')
    .requiredOption('--run <dir>', 'run folder written by d2ue train or d2ue demo')
    .option('--scorers <ids>', 'comma-separated scorer ids (default: the run config\'s)')
    .option('--ensemble-size <k>', 'use the first k members of the run', parseCount)
    .option('--backend <name>', 'auto, gpu, node, wasm or cpu', parseBackend)
    .action(async (options: { run: string; scorers?: string; ensembleSize?: number; backend?: string }) => {
      warnIfUnfinished(options.run);
      const result = await evaluateRun(options.run, {
        ...(options.scorers ? { scorers: options.scorers.split(',').map((id) => id.trim()).filter(Boolean) } : {}),
        ...(options.ensembleSize !== undefined ? { ensembleSize: options.ensembleSize } : {}),
        ...(options.backend ? { backend: (options.backend as BackendName) } : {}),
      });
      process.stdout.write(`${formatResultsTable(result.rows)}\n`);
      if (result.cka) process.stdout.write(`\n${formatCkaDiagnostic(result.cka)}\n`);
    });
}

/** Warns on stderr when the run contains fewer trained members than its config requests (a stopped training). */
function warnIfUnfinished(runDir: string): void {
  const manifest = readManifest(runDir);
  const planned = (manifest.config.ensemble as { size?: number } | undefined)?.size;
  if (planned !== undefined && manifest.members.length < planned) {
    progress(
      `d2ue: warning: ${manifest.members.length} of ${planned} members of this run are trained; ` +
        `these scores use only those. Continue the training with "d2ue train --resume ${runDir}".`,
    );
  }
}
