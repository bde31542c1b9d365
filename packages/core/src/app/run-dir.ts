import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { D2ueError } from '../errors.js';
import { MANIFEST_FILE } from '../run/manifest.js';

/**
 * Prepares a run folder: creates it, and refuses a non-empty one unless `overwrite` is set, so a finished run is
 * never mixed with a new one. `overwrite` deletes only a folder that contains a run (its manifest.json), because a mistyped
 * --out that points at a data folder must not erase it.
 *
 * @throws D2ueError `run` for a non-empty folder without `overwrite` (the message names --overwrite and --resume),
 * and for a non-empty folder that holds no run, with or without `overwrite`.
 */
export function prepareRunDir(dir: string, overwrite = false): string {
  const runDir = checkRunDir(dir, overwrite);
  if (existsSync(runDir)) rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  return runDir;
}

/**
 * Checks, without touching anything, that {@link prepareRunDir} would accept `dir`, so a run fails before it builds
 * or loads its data. Returns the resolved folder.
 *
 * @throws D2ueError `run` in the cases {@link prepareRunDir} lists.
 */
export function checkRunDir(dir: string, overwrite = false): string {
  const runDir = resolve(dir);
  if (existsSync(runDir) && readdirSync(runDir).length > 0) {
    if (!existsSync(join(runDir, MANIFEST_FILE))) {
      throw new D2ueError(
        'run',
        `${runDir} is not empty and holds no d2ue run (no ${MANIFEST_FILE}); choose a new or empty --out folder. ` +
          'd2ue never deletes a folder that is not a run, even with --overwrite.',
        { subject: runDir },
      );
    }
    if (!overwrite) {
      throw new D2ueError(
        'run',
        `${runDir} is not empty; choose another --out folder, or pass --overwrite to replace it, ` +
          `or continue the run it holds with "d2ue train --resume ${runDir}".`,
        { subject: runDir },
      );
    }
  }
  return runDir;
}

/** Returns a new folder name under `parent` for a run started now, e.g. `runs/demo-20261204-211300`. */
export function timestampedDir(parent: string, prefix: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  let candidate = resolve(parent, `${prefix}-${stamp}`);
  for (let n = 2; existsSync(candidate); n++) candidate = resolve(parent, `${prefix}-${stamp}-${n}`);
  return candidate;
}

/**
 * Resolves the folder of a run to continue (`--resume DIR`).
 *
 * @throws D2ueError `run` when it contains no manifest.json, i.e. no run was started there.
 */
export function resumableRunDir(dir: string): string {
  const runDir = resolve(dir);
  if (!existsSync(join(runDir, MANIFEST_FILE))) {
    throw new D2ueError(
      'run',
      `--resume ${runDir}: no ${MANIFEST_FILE} there, so no run was started in it. Start one with "d2ue train --config FILE --out ${runDir}".`,
      { subject: runDir },
    );
  }
  return runDir;
}
