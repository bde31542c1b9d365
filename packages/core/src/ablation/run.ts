import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { evaluateRun } from '../app/evaluate-run.js';
import { trainRun } from '../app/train-run.js';
import { packageVersions } from '../app/versions.js';
import { validateConfig } from '../config/load.js';
import type { BackendName, Config } from '../config/schema.js';
import { MANIFEST_FILE, type Manifest } from '../run/manifest.js';
import type { TrainingObserver } from '../training/trainer.js';
import { scorerKey, scorerLabel, type ScorerEntry } from './keys.js';
import { writeAblationTables } from './outputs.js';
import type { AblationCell, AblationPlan } from './plan.js';
import { EtaClock, type CellProgress } from './progress.js';
import { largestSizes, manifestOf, messageOf, runFolder, setUpCells, type CellSetup } from './setup.js';
import { readCell, writeCell, type CellRecord, type StoredOutcome } from './store.js';
import { buildTable, type AblationTable, type CellOutcome } from './table.js';

/** Options of {@link runAblation}. */
export interface AblationRunOptions {
  /** The ablation folder: `runs/<key>/` (trained ensembles), `cells/` (finished results) and the tables. */
  readonly out: string;

  /** Overrides every cell's `backend`. */
  readonly backend?: BackendName;
  /** Receives one line per step of the grid (trainings, evaluations, reused cells). */
  readonly log?: (line: string) => void;

  /** Called after every cell with the grid's progress. */
  readonly onCell?: (progress: CellProgress) => void;

  /** Progress hooks of each training. */
  readonly observer?: TrainingObserver;

  /** Replaceable so tests can count trainings and evaluations; default {@link trainRun} and {@link evaluateRun}. */
  readonly train?: typeof trainRun;
  /** Replaceable like `train`; default {@link evaluateRun}. */
  readonly evaluate?: typeof evaluateRun;

  /** The clock of the tables' date line. */
  readonly now?: () => Date;
}

/** A scorer of a cell that failed. */
export interface AblationFailure {
  readonly cell: string;
  readonly scorer: string;
  readonly reason: string;
}

/** The result of {@link runAblation}. */
export interface AblationOutcome {
  readonly table: AblationTable;

  /** The table files: `ablation.{json,csv,md,tex}`. */
  readonly files: readonly string[];

  /** Trainings started (fresh or continued). */
  readonly trainings: number;
  readonly failures: readonly AblationFailure[];
}

/**
 * Runs an ablation grid. For every cell it reuses or trains the run of its training key (one K-member run serves
 * every ensemble size k ≤ K). It then evaluates the scorers the cell has no finished result for, stores them under
 * `cells/` and rewrites the tables. A cell whose plug-in throws is recorded as failed and the grid goes on; finished results are never
 * computed again, so a rerun after a crash finishes only the missing cells.
 *
 * @example
 * const outcome = await runAblation(planAblation({ file: 'base.yaml', vary: ['repulsion.name=none,rar'] }), { out: 'ablations/base' });
 * @throws D2ueError `io` when the ablation folder cannot be written.
 */
export async function runAblation(plan: AblationPlan, options: AblationRunOptions): Promise<AblationOutcome> {
  const out = resolve(options.out);
  mkdirSync(join(out, 'runs'), { recursive: true });
  const log = options.log ?? (() => undefined);
  const train = options.train ?? trainRun;
  const evaluate = options.evaluate ?? evaluateRun;

  const setups = await setUpCells(plan);
  const neededSize = largestSizes(plan, setups);
  const outcomes = new Map<number, Map<string, CellOutcome>>();
  const records = new Map<number, CellRecord>();
  const failures: AblationFailure[] = [];
  let trainings = 0;

  const writeTables = (): { table: AblationTable; files: string[] } => {
    const table = buildTable(plan, {
      outcome: (cell, scorer) => outcomes.get(cell)?.get(scorer),
      ...provenance([...records.values()]),
      date: (options.now?.() ?? new Date()).toISOString(),
    });
    return { table, files: writeAblationTables(out, table) };
  };

  const eta = new EtaClock(plan.cells.filter((cell) => missingScorers(plan, cell, setups[cell.index]!, out).length > 0).length);
  let written = writeTables();
  for (const cell of plan.cells) {
    const started = performance.now();
    const setup = setups[cell.index]!;
    const results = new Map<string, CellOutcome>();
    outcomes.set(cell.index, results);
    const fail = (entry: ScorerEntry, reason: string): void => {
      results.set(scorerKey(entry), { status: 'failed', reason });
      failures.push({ cell: cell.label, scorer: scorerLabel(entry), reason });
    };

    let how: CellProgress['how'] = 'cached';
    if (setup.key === undefined) {
      for (const entry of plan.scorers) fail(entry, setup.error!);
      how = 'failed';
    } else {
      const k = cell.config.ensemble.size;
      let record = currentRecord(out, setup.key, k);
      if (record) records.set(cell.index, record);
      for (const [key, stored] of Object.entries(record?.results ?? {})) results.set(key, stored);
      for (const entry of plan.scorers) {
        const error = setup.scorerErrors.get(scorerKey(entry));
        if (error !== undefined && !results.has(scorerKey(entry))) fail(entry, error);
      }

      const todo = plan.scorers.filter((entry) => !results.has(scorerKey(entry)));
      if (todo.length > 0) {
        let manifest: Manifest | undefined;
        try {
          const ensured = await ensureRun(cell, setup.key, neededSize.get(setup.key)!);
          manifest = ensured.manifest;
          how = ensured.trained ? 'trained' : 'evaluated';
        } catch (error) {
          for (const entry of todo) fail(entry, messageOf(error));
          how = 'failed';
        }

        if (manifest) {
          const members = manifest.members.slice(0, k).map((member) => member.sha256);
          if (!record || record.members.join() !== members.join()) {
            record = { format: 'd2ue-ablation-cell/1', run: setup.key, ensembleSize: k, members, backend: manifest.backend, versions: manifest.versions, results: {} };
          }
          for (const entry of todo) {
            try {
              const stored = await evaluateOne(runFolder(out, setup.key), entry, k);
              record = { ...record, results: { ...record.results, [scorerKey(entry)]: stored } };
              writeCell(out, record);
              results.set(scorerKey(entry), stored);
            } catch (error) {
              fail(entry, messageOf(error));
            }
          }
          records.set(cell.index, record);
        }
      }
    }

    const seconds = (performance.now() - started) / 1000;
    if (how !== 'cached') eta.computed(seconds);
    written = writeTables();
    const failed = plan.scorers.filter((entry) => results.get(scorerKey(entry))?.status === 'failed').length;
    options.onCell?.({ done: cell.index + 1, total: plan.cells.length, label: cell.label, how, failed, seconds, etaSeconds: eta.remaining() });
  }
  return { ...written, trainings, failures };

  /** Finds or trains the run of `key` with at least the cell's k members: cached, continued, or trained now. */
  async function ensureRun(cell: AblationCell, key: string, size: number): Promise<{ manifest: Manifest; trained: boolean }> {
    const runDir = runFolder(out, key);
    const existing = manifestOf(runDir);
    const k = cell.config.ensemble.size;
    if (existing && existing.members.length >= k) return { manifest: existing, trained: false };

    const common = { ...(options.backend ? { backend: options.backend } : {}), ...(options.observer ? { observer: options.observer } : {}), log };
    trainings++;
    if (existing && (existing.config.ensemble as { size?: number } | undefined)?.size === size) {
      // A run that stopped part-way (killed): continue it from its last checkpoint with the config it recorded.
      try {
        log(`${cell.label}: continuing ${runDir} (${existing.members.length} of ${size} members trained)`);
        const resumed = await train(validateConfig(existing.config, join(runDir, MANIFEST_FILE)), { out: runDir, resume: true, ...common });
        for (const member of resumed.members) member.dispose();
        return { manifest: resumed.manifest, trained: true };
      } catch (error) {
        log(`${cell.label}: cannot continue ${runDir} (${messageOf(error)}); training it again from the start`);
      }
    }

    log(`${cell.label}: training ${size} members into ${runDir}`);
    const config: Config = { ...cell.config, ensemble: { size } };
    const trained = await train(config, { out: runDir, overwrite: true, ...common });
    for (const member of trained.members) member.dispose();
    return { manifest: trained.manifest, trained: true };
  }

  async function evaluateOne(runDir: string, entry: ScorerEntry, k: number): Promise<StoredOutcome> {
    // NOTE: evaluateRun takes scorer ids; an entry with options is passed whole, which its config validation accepts.
    const evaluation = await evaluate(runDir, {
      scorers: [entry as string],
      ensembleSize: k,
      plots: false,
      ...(options.backend ? { backend: options.backend } : {}),
    });
    const outcome = evaluation.outcomes[0]!;
    if (outcome.status === 'ok') return { status: 'ok', auroc: outcome.auroc, averagePrecision: outcome.averagePrecision };
    return { status: 'n/a', reason: outcome.reason };
  }
}

/** Scorers a cell has no finished result for (before it runs; used for the ETA). */
function missingScorers(plan: AblationPlan, cell: AblationCell, setup: CellSetup, out: string): ScorerEntry[] {
  if (setup.key === undefined) return [];
  const record = currentRecord(out, setup.key, cell.config.ensemble.size);
  return plan.scorers.filter((entry) => !record?.results[scorerKey(entry)] && !setup.scorerErrors.has(scorerKey(entry)));
}

/** Reads a cell's stored record, unless its run was trained again since (other member weights). */
function currentRecord(out: string, key: string, k: number): CellRecord | undefined {
  const record = readCell(out, key, k);
  const manifest = manifestOf(runFolder(out, key));
  if (!record || !manifest) return record;
  const members = manifest.members.slice(0, k).map((member) => member.sha256);
  return members.join() === record.members.join() ? record : undefined;
}

/** Backends and versions of the runs behind the results, sorted so reruns write the same bytes. */
function provenance(records: readonly CellRecord[]): { backends: string[]; versions: Record<string, string> } {
  const backends = [...new Set(records.map((record) => record.backend))].sort();
  const versions = new Map<string, Set<string>>();
  for (const record of records.length > 0 ? records : [{ versions: packageVersions() }]) {
    for (const [name, version] of Object.entries(record.versions)) versions.set(name, (versions.get(name) ?? new Set()).add(version));
  }
  const sorted = [...versions.entries()].sort(([a], [b]) => a.localeCompare(b));
  return { backends, versions: Object.fromEntries(sorted.map(([name, set]) => [name, [...set].sort().join(' / ')])) };
}
