import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { Backbone } from '../contracts/backbone.js';
import type { ImageSet } from '../contracts/dataset.js';
import { D2ueError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { DEFAULT_CKA_BATCH_SIZE, pairwiseCkaOf } from './pairwise-cka.js';

/** Pairwise CKA on one group of test images (normal or abnormal). */
export interface CkaSplit {
  /** The number of images in the group. */
  readonly images: number;

  /** K×K linear CKA between members; null when the group has fewer than 2 images. */
  readonly matrix: number[][] | null;

  /** The mean of the entries above the diagonal; null with fewer than 2 members or no matrix. */
  readonly meanBetweenMembers: number | null;
}

/** The per-run CKA diagnostic, as written to `reports/cka.k<K>.json`. */
export interface CkaDiagnostic {
  readonly format: 'd2ue-cka/1';

  /** The feature tap the features were read at. */
  readonly tap: number;

  /** The number of members compared. */
  readonly members: number;

  /** Test images labelled 0. */
  readonly normal: CkaSplit;

  /** Test images labelled 1. */
  readonly abnormal: CkaSplit;
}

/** The file the diagnostic is written to, relative to the run folder. */
/** Where the diagnostic of a K-member ensemble goes in a run folder: `reports/cka.k<K>.json`. */
export function ckaReportPath(members: number): string {
  return join('reports', `cka.k${members}.json`);
}

/**
 * Computes the pairwise linear CKA between all members' features at `tap` on the test set, separately for normal
 * and abnormal images. Members run in inference mode. Lower values between members mean less redundant
 * representations, which is what a repulsion term such as RAR aims for.
 *
 * @example
 * const diagnostic = ckaDiagnostic(run.members, run.data.test, config.repulsion.tap);
 * console.log(formatCkaDiagnostic(diagnostic));
 * @throws D2ueError (config) when `tap` is not a tap of every member (see {@link pairwiseCka}).
 */
export function ckaDiagnostic(
  members: readonly Backbone[],
  test: ImageSet,
  tap: number,
  batchSize: number = DEFAULT_CKA_BATCH_SIZE,
): CkaDiagnostic {
  const split = (label: number): CkaSplit => {
    const indices = Int32Array.from(indicesWithLabel(test.labels, label));
    if (indices.length < 2) return { images: indices.length, matrix: null, meanBetweenMembers: null };

    const matrix = pairwiseCkaOf(members, test, indices, tap, batchSize);
    return { images: indices.length, matrix, meanBetweenMembers: meanAboveDiagonal(matrix) };
  };

  return { format: 'd2ue-cka/1', tap, members: members.length, normal: split(0), abnormal: split(1) };
}

/**
 * Formats the diagnostic as a small text table per group, values to 3 decimals.
 *
 * @example
 * formatCkaDiagnostic(diagnostic);
 * // Pairwise linear CKA between members at tap 4 (inference mode)
 * // normal test images (n = 32)
 * //         m0     m1
 * //   m0  1.000  0.412
 * //   ...
 */
export function formatCkaDiagnostic(diagnostic: CkaDiagnostic): string {
  const lines = [`Pairwise linear CKA between members at tap ${diagnostic.tap} (inference mode)`];
  for (const [name, split] of [['normal', diagnostic.normal], ['abnormal', diagnostic.abnormal]] as const) {
    lines.push(`${name} test images (n = ${split.images})`);
    if (split.matrix === null) {
      lines.push('  n/a: CKA needs at least 2 images');
      continue;
    }

    const header = split.matrix.map((_, k) => `m${k}`.padStart(7)).join('');
    lines.push(`    ${header}`);
    for (const [k, row] of split.matrix.entries()) {
      lines.push(`  ${`m${k}`.padEnd(2)}${row.map((value) => value.toFixed(3).padStart(7)).join('')}`);
    }
    if (split.meanBetweenMembers !== null) lines.push(`  mean between members: ${split.meanBetweenMembers.toFixed(3)}`);
  }
  return lines.join('\n');
}

/**
 * Writes the diagnostic to `<runDir>/reports/cka.k<K>.json` atomically (one file per ensemble size, so a sweep
 * over sizes keeps them all) (a reader never sees a partial file) and
 * returns that path.
 *
 * @example
 * writeCkaDiagnostic(run.runDir, ckaDiagnostic(run.members, run.data.test, 4));
 * @throws D2ueError (io) when the folder or the file cannot be written.
 */
export function writeCkaDiagnostic(runDir: string, diagnostic: CkaDiagnostic): string {
  const file = join(runDir, ckaReportPath(diagnostic.members));
  try {
    mkdirSync(join(runDir, 'reports'), { recursive: true });
  } catch (error) {
    throw new D2ueError('io', `Cannot create ${join(runDir, 'reports')}: ${(error as Error).message}`, { subject: runDir, cause: error });
  }
  writeFileAtomic(file, `${JSON.stringify(diagnostic, null, 2)}\n`);
  return file;
}

function* indicesWithLabel(labels: Uint8Array, label: number): Generator<number> {
  for (let i = 0; i < labels.length; i++) if (labels[i] === label) yield i;
}

function meanAboveDiagonal(matrix: readonly (readonly number[])[]): number | null {
  let sum = 0;
  let count = 0;
  for (let a = 0; a < matrix.length; a++) {
    for (let b = a + 1; b < matrix.length; b++) {
      sum += matrix[a]![b]!;
      count += 1;
    }
  }
  return count === 0 ? null : sum / count;
}
