import type { TrainingObserver } from '../training/trainer.js';

/** Where the CLI writes progress: stderr, so stdout carries only results (tables, scores). */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A training observer that prints one line per epoch (and nothing with `quiet`). */
export function epochLogger(ensembleSize: number, epochs: number, repulsionId: string, weight: number, quiet = false): TrainingObserver {
  if (quiet) return {};
  const started = performance.now();
  return {
    onMemberStart: (member, steps) =>
      progress(`member ${member} (${member + 1} of ${ensembleSize}): ${epochs} epochs × ${steps} steps${member > 0 ? `, seniors 0..${member - 1} frozen` : ''}`),
    onEpochEnd: (record) => {
      const elapsed = ((performance.now() - started) / 1000).toFixed(0);
      progress(
        `  member ${record.member}  epoch ${String(record.epoch + 1).padStart(String(epochs).length)}/${epochs}` +
          `  loss ${record.loss.toFixed(5)} (backbone ${record.backboneLoss.toFixed(5)} + ${weight}·${repulsionId} ${record.repulsion.toFixed(4)})` +
          `  ${record.seconds.toFixed(1)} s  [${elapsed} s total]`,
      );
    },
  };
}
