import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { DependencyContainer } from 'tsyringe';

import { loadPlugins } from '../app/plugins.js';
import { parsePluginOptions } from '../config/plugin-options.js';
import { resolveDescriptor } from '../container.js';
import { D2ueError } from '../errors.js';
import { MANIFEST_FILE, readManifest, type Manifest } from '../run/manifest.js';
import { scorerKey, trainingKey, type ScorerEntry } from './keys.js';
import type { AblationPlan } from './plan.js';

/** The setup of a cell before it runs: its training key, or why it has none. */
export interface CellSetup {
  readonly key?: string;
  readonly error?: string;
  readonly container?: DependencyContainer;

  /** Scorer key → why that scorer cannot run (unknown id, bad options). */
  readonly scorerErrors: ReadonlyMap<string, string>;
}

/**
 * Training keys and scorer checks of every cell, in cell order. Plug-in packages load once per distinct `plugins`
 * list. A cell whose backbone, repulsion term or plug-in package is unknown gets an `error` instead of a key.
 */
export async function setUpCells(plan: AblationPlan): Promise<CellSetup[]> {
  const containers = new Map<string, Promise<DependencyContainer>>();
  const setups: CellSetup[] = [];
  for (const cell of plan.cells) {
    const plugins = JSON.stringify(cell.config.plugins);
    if (!containers.has(plugins)) containers.set(plugins, loadPlugins(cell.config.plugins));
    try {
      const container = await containers.get(plugins)!;
      setups.push({ key: trainingKey(cell.config, container), container, scorerErrors: scorerErrors(plan.scorers, container) });
    } catch (error) {
      setups.push({ error: messageOf(error), scorerErrors: new Map() });
    }
  }
  return setups;
}

function scorerErrors(scorers: readonly ScorerEntry[], container: DependencyContainer): Map<string, string> {
  const errors = new Map<string, string>();
  scorers.forEach((entry, i) => {
    const section = typeof entry === 'string' ? { name: entry } : entry;
    try {
      const descriptor = resolveDescriptor(container, 'scorer', section.name, `scorers.${i}`);
      parsePluginOptions(descriptor, section, `scorers.${i}`);
    } catch (error) {
      errors.set(scorerKey(entry), messageOf(error));
    }
  });
  return errors;
}

/** Maps each training key to the largest ensemble size of its cells: that many members are trained, once. */
export function largestSizes(plan: AblationPlan, setups: readonly CellSetup[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const cell of plan.cells) {
    const key = setups[cell.index]!.key;
    if (key !== undefined) sizes.set(key, Math.max(sizes.get(key) ?? 0, cell.config.ensemble.size));
  }
  return sizes;
}

/** Returns the folder of the run of a training key. */
export function runFolder(out: string, key: string): string {
  return join(out, 'runs', key);
}

/** Reads a run folder's manifest; undefined when there is none or it is unreadable, so the run is trained again. */
export function manifestOf(runDir: string): Manifest | undefined {
  if (!existsSync(join(runDir, MANIFEST_FILE))) return undefined;
  try {
    return readManifest(runDir);
  } catch {
    // NOTE: an unreadable manifest counts as no run, so the folder is trained again rather than trusted.
    return undefined;
  }
}

/** Formats an error as a table note. D2ueError messages are complete, and anything else is marked unexpected. */
export function messageOf(error: unknown): string {
  if (error instanceof D2ueError) return error.message;
  return error instanceof Error ? `unexpected error: ${error.message}` : `unexpected error: ${String(error)}`;
}
