import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import type { Backbone } from '../contracts/backbone.js';
import { D2ueError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { ResumePoint } from '../training/progress.js';
import { memberDir, readCheckpoint } from './checkpoint.js';
import type { Manifest } from './manifest.js';
import { loadMemberWeights } from './member-weights.js';

/** The state of an interrupted run: its finished learners, loaded, and the checkpoint the next one continues from. */
export interface ResumeState {
  /** Members 0..n-1 as the manifest lists them, with their final weights (hashes checked). */
  readonly finished: Backbone[];

  /** Member n's latest complete checkpoint; absent when it has none (it then starts from scratch). */
  readonly resume?: ResumePoint;
}

/**
 * Reads an interrupted run for `--resume`: loads the members the manifest lists (never retrains them), loads the
 * next member's checkpoint, rewrites that member's metrics.jsonl to the epochs the checkpoint contains (a kill may
 * have left later lines), and removes temporary files of writes a kill cut short. `create(index)` builds an
 * untrained learner to load weights into.
 *
 * @throws D2ueError `run` when the manifest's members are not 0..n-1 or a weight file's SHA-256 differs.
 */
export function loadResumeState(
  runDir: string,
  manifest: Manifest,
  ensembleSize: number,
  create: (index: number) => Backbone,
  log: (line: string) => void,
): ResumeState {
  const listed = manifest.members.map((member) => member.index);
  if (listed.some((index, position) => index !== position) || listed.length > ensembleSize) {
    throw new D2ueError(
      'run',
      `${join(runDir, 'manifest.json')}: members ${JSON.stringify(listed)} are not 0..n-1 of an ensemble of ${ensembleSize}; the run folder was edited. Start a new run.`,
      { subject: join(runDir, 'manifest.json') },
    );
  }
  removeTemporaryFiles(runDir);

  const finished: Backbone[] = [];
  try {
    for (const entry of manifest.members) {
      const backbone = create(entry.index);
      finished.push(backbone);
      loadMemberWeights(runDir, entry.weights, entry.sha256, backbone);
    }
  } catch (error) {
    for (const backbone of finished) backbone.dispose();
    throw error;
  }

  const next = finished.length;
  if (next === ensembleSize) return { finished };

  const lookup = readCheckpoint(runDir, next);
  const metricsFile = join(memberDir(runDir, next), 'metrics.jsonl');
  if (lookup.status === 'ok') {
    const { epoch, step, metrics } = lookup.point.progress;
    writeFileAtomic(metricsFile, metrics.map((record) => `${JSON.stringify(record)}\n`).join(''));
    log(`member ${next}: resuming at epoch ${epoch + 1}${step > 0 ? `, step ${step + 1}` : ''} from ${lookup.file}`);
    return { finished, resume: lookup.point };
  }

  if (lookup.status === 'unusable') log(`member ${next}: ${lookup.problem}; it restarts from epoch 1`);
  rmSync(metricsFile, { force: true });
  return { finished };
}

/** Deletes `.<name>.<pid>.tmp` files (see writeFileAtomic) that a kill left in the run folder or a member folder. */
function removeTemporaryFiles(runDir: string): void {
  const membersRoot = join(runDir, 'members');
  const members = existsSync(membersRoot) ? readdirSync(membersRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory()) : [];
  for (const folder of [runDir, ...members.map((entry) => join(membersRoot, entry.name))]) {
    for (const name of readdirSync(folder)) {
      if (/^\..+\.\d+\.tmp$/.test(name)) rmSync(join(folder, name), { force: true });
    }
  }
}
