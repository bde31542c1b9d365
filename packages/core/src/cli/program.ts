import { Command } from 'commander';

import { installDemo } from './commands/demo.js';
import { installEvaluate } from './commands/evaluate.js';
import { installScore } from './commands/score.js';
import { installTrain } from './commands/train.js';

/** The `d2ue` program with its built-in sub-commands. */
export function buildProgram(): Command {
  const program = new Command('d2ue')
    .description('Deep-ensemble uncertainty (D2UE) for medical image anomaly detection')
    .showHelpAfterError()
    .exitOverride();
  installTrain(program);
  installEvaluate(program);
  installScore(program);
  installDemo(program);
  return program;
}
