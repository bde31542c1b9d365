import { Command } from 'commander';

import { installAblate } from './commands/ablate.js';
import { installBackends } from './commands/backends.js';
import { installDemo } from './commands/demo.js';
import { installEvaluate } from './commands/evaluate.js';
import { installSchema } from './commands/schema.js';
import { installScore } from './commands/score.js';
import { installTrain } from './commands/train.js';
import { installPluginCommands } from './plugin-commands.js';

/**
 * Builds the `d2ue` program: the built-in sub-commands, then those the default plug-in packages contribute
 * (`prepare dicom`, `prepare nifti`, ...).
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command('d2ue')
    .description('Deep-ensemble uncertainty (D2UE) for medical image anomaly detection')
    .showHelpAfterError()
    .exitOverride();

  installTrain(program);
  installEvaluate(program);
  installScore(program);
  installDemo(program);
  installAblate(program);
  installBackends(program);
  installSchema(program);
  await installPluginCommands(program);
  return program;
}
