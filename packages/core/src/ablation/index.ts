/**
 * Ablation grids (`d2ue ablate`): config swaps expanded into cells, trainings cached by what they train, and
 * mean ± std tables in JSON, CSV, Markdown and LaTeX. See docs/ablation.md.
 */
import { basename, extname, join } from 'node:path';

export * from './schema.js';
export * from './grid.js';
export * from './keys.js';
export * from './plan.js';
export * from './store.js';
export * from './table.js';
export * from './format.js';
export * from './outputs.js';
export * from './progress.js';
export * from './run.js';
export * from './estimate.js';

/**
 * Returns the default ablation folder of a config file: `ablations/<file name without extension>`, with every character
 * outside `[A-Za-z0-9._-]` replaced by `-`. The same command always gets the same folder, so a rerun resumes.
 *
 * @example
 * defaultAblationDir('configs/ablation/paper.yaml'); // 'ablations/paper'
 */
export function defaultAblationDir(configFile: string, parent = 'ablations'): string {
  const stem = basename(configFile, extname(configFile)).replace(/[^A-Za-z0-9._-]/g, '-');
  return join(parent, stem || 'ablation');
}
