import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type { DependencyContainer } from 'tsyringe';

import { selectBackend } from '../backend/select.js';
import { validateConfig } from '../config/load.js';
import type { BackendName, Config } from '../config/schema.js';
import type { Backbone } from '../contracts/backbone.js';
import type { MedAdData } from '../contracts/dataset.js';
import { D2ueError } from '../errors.js';
import { evaluateScorer, type ImageScore, type ScorerOutcome } from '../evaluation/evaluate.js';
import { topAnomalyMaps, type TopAnomalyMaps } from '../evaluation/top-maps.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { CurveInput } from '../report/plots/curves.js';
import { writePlots } from '../report/plots/write-plots.js';
import { ckaDiagnostic, writeCkaDiagnostic, type CkaDiagnostic } from '../diagnostics/cka-diagnostic.js';
import { resultRows, writeResults, type ResultRow } from '../report/results.js';
import { hashBytes } from '../run/hash.js';
import { readManifest, type Manifest, type ManifestMember } from '../run/manifest.js';
import { loadMemberWeights } from '../run/member-weights.js';
import { loadData } from './data.js';
import { loadPlugins } from './plugins.js';
import { resolvePlugins, type ResolvedPlugins } from './resolve.js';

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  /** Scorers to run instead of the config's: ids, or `{ name, ...options }` entries as in a config. */
  readonly scorers?: ReadonlyArray<string | { readonly name: string; readonly [option: string]: unknown }>;

  /** Use the manifest's first k members. */
  readonly ensembleSize?: number;
  readonly backend?: BackendName;

  /** Already trained members and data (the demo passes them on), so nothing is reloaded. */
  readonly members?: readonly Backbone[];
  readonly data?: MedAdData;
  /** Called as each scorer works through the test split: images done out of the total. */
  readonly onProgress?: (scorer: string, done: number, total: number) => void;

  /** Write `reports/plots/*` (histograms, ROC and PR curves, top-k anomaly maps). Default true. */
  readonly plots?: boolean;

  /** Images per anomaly-map grid. Default 8. */
  readonly topK?: number;

  /** Resamples of the AUROC bootstrap interval. Default 1000. */
  readonly bootstrapResamples?: number;

  /** Compute the pairwise CKA between members at the repulsion tap and write `reports/cka.k<K>.json`. Default true. */
  readonly ckaDiagnostic?: boolean;
}

/** The outcome of evaluating a run. */
export interface RunEvaluation {
  readonly outcomes: readonly ScorerOutcome[];
  readonly rows: readonly ResultRow[];

  /** The plot files written (SVG and PNG). */
  readonly plots: readonly string[];

  /** Pairwise linear CKA between members on normal and abnormal test images; absent for one member. */
  readonly cka?: CkaDiagnostic;
}

/**
 * Scores a run's test split with each scorer and writes `scores/<scorer>[.<options-hash>].k<K>.json`,
 * `reports/results.k<K>.{json,md}` (merged with the rows of scorers evaluated before) and `reports/plots/*`.
 * Members come from the manifest only (its first k when `ensembleSize` is given).
 *
 * @example
 * const { rows } = await evaluateRun('runs/demo-2024', { scorers: ['dsu'], ensembleSize: 2 });
 * @throws D2ueError `run` for an ensemble size the run does not have or changed data; `config`/`plugin` for unknown
 * scorers or options.
 */
export async function evaluateRun(runDir: string, options: EvaluateRunOptions = {}): Promise<RunEvaluation> {
  const manifest = readManifest(runDir);
  const overrides = options.scorers ? { scorers: [...options.scorers] } : {};
  const config = validateConfig({ ...manifest.config, ...overrides }, join(runDir, 'manifest.json'));
  if (!options.members) await selectBackend(options.backend ?? config.backend);
  const container = await loadPlugins(config.plugins);
  const plugins = resolvePlugins(config, container);

  const size = options.ensembleSize ?? manifest.members.length;
  if (size < 1 || size > manifest.members.length) {
    throw new D2ueError(
      'run',
      `--ensemble-size ${size}: the run lists ${manifest.members.length} trained members; choose 1..${manifest.members.length}.`,
      { subject: 'ensemble-size' },
    );
  }

  const data = options.data ?? (await loadRunData(runDir, manifest.data, config, container, plugins.imageSize));
  const members = options.members ? options.members.slice(0, size) : loadRunMembers(runDir, manifest.members.slice(0, size), plugins);

  try {
    const outcomes: ScorerOutcome[] = [];
    const tags: string[] = [];
    const maps: TopAnomalyMaps[] = [];
    for (const { descriptor, options: scorerOptions } of plugins.scorers) {
      const scorer = descriptor.create(scorerOptions);
      const outcome = evaluateScorer(scorer, members, data.test, {
        onProgress: (done, total) => options.onProgress?.(descriptor.id, done, total),
        ...(options.bootstrapResamples !== undefined ? { bootstrapResamples: options.bootstrapResamples } : {}),
      });
      const tag = scoresTag(descriptor.id, scorerOptions);
      writeScores(runDir, outcome, scorerOptions, tag);
      outcomes.push(outcome);
      tags.push(tag);
      if (options.plots !== false && outcome.status === 'ok') {
        maps.push({ ...topAnomalyMaps(scorer, members, data.test, outcome.scores, options.topK ?? 8), scorer: tag });
      }
    }

    const rows = resultRows(outcomes, tags);
    writeResults(runDir, rows, `results.k${size}`);
    const plots =
      options.plots === false
        ? []
        : await writePlots(runDir, outcomes, { maps, tags, suffix: `.k${size}`, extraCurves: storedCurves(runDir, size, tags) });

    // How redundant the members' representations are, at the tap the repulsion term acted on.
    const cka = options.ckaDiagnostic !== false && members.length > 1 ? ckaDiagnostic(members, data.test, config.repulsion.tap) : undefined;
    if (cka) writeCkaDiagnostic(runDir, cka);
    return { outcomes, rows, plots, ...(cka ? { cka } : {}) };
  } finally {
    if (!options.members) for (const member of members) member.dispose();
  }
}

/** Loads the run's data after checking that its split file is the one the run was trained with. */
async function loadRunData(
  runDir: string,
  recorded: Manifest['data'],
  config: Config,
  container: DependencyContainer,
  imageSize: number,
): Promise<MedAdData> {
  const splitFile = join(recorded.root, 'data.json');
  let actual: string;
  try {
    actual = hashBytes(readFileSync(splitFile));
  } catch {
    throw new D2ueError('run', `${splitFile} (the run's data) is missing; restore the data folder or edit data.root in ${join(runDir, 'manifest.json')}.`, {
      subject: splitFile,
    });
  }
  if (actual !== recorded.splitSha256) {
    throw new D2ueError('run', `${splitFile} changed since training (SHA-256 differs from the manifest); the scores would not be comparable.`, {
      subject: splitFile,
    });
  }
  return loadData(recorded.root, config, container, imageSize);
}

/**
 * Builds the listed members with the run's backbone and loads their weights after checking each file's hash.
 *
 * @example
 * const members = loadRunMembers(runDir, manifest.members, plugins);
 * @throws D2ueError `run` when a weights file is missing or its hash differs from the manifest.
 */
export function loadRunMembers(runDir: string, entries: readonly ManifestMember[], plugins: ResolvedPlugins): Backbone[] {
  return entries.map((entry) => {
    const backbone = plugins.backbone.descriptor.create(plugins.backbone.options, { seed: entry.seeds.init });
    loadMemberWeights(runDir, entry.weights, entry.sha256, backbone);
    return backbone;
  });
}

/** `<scorer>[.<options-hash>]`: the scores file stem without the ensemble size, unique per scorer and options. */
export function scoresTag(scorer: string, options: Record<string, unknown>): string {
  return Object.keys(options).length > 0 ? `${scorer}.${hashBytes(JSON.stringify(options)).slice(0, 8)}` : scorer;
}

/** `scores/<tag>.k<K>.json`: one file per scorer, options and ensemble size, never overwritten by another. */
function writeScores(runDir: string, outcome: ScorerOutcome, options: Record<string, unknown>, tag: string): void {
  const dir = join(runDir, 'scores');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${tag}.k${outcome.members}.json`);
  writeFileAtomic(file, `${JSON.stringify({ ...outcome, options, backend: tf.getBackend() }, null, 2)}\n`);
}

/** Curves of scorers evaluated earlier at the same ensemble size (their scores files), so ROC and PR show them too. */
function storedCurves(runDir: string, size: number, skip: readonly string[]): CurveInput[] {
  const dir = join(runDir, 'scores');
  if (!existsSync(dir)) return [];
  const ending = `.k${size}.json`;
  const curves: CurveInput[] = [];
  for (const name of readdirSync(dir).sort()) {
    const tag = name.slice(0, -ending.length);
    if (!name.endsWith(ending) || skip.includes(tag)) continue;
    try {
      const stored = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
        status?: string;
        auroc?: number;
        averagePrecision?: number;
        scores?: ImageScore[];
      };
      if (stored.status !== 'ok' || !stored.scores || stored.auroc === undefined || stored.averagePrecision === undefined) continue;
      curves.push({
        scorer: tag,
        scores: stored.scores.map((entry) => entry.score),
        labels: stored.scores.map((entry) => entry.label),
        auroc: stored.auroc,
        averagePrecision: stored.averagePrecision,
      });
    } catch {
      // NOTE: an unreadable scores file only leaves its curve out of the shared ROC/PR plots.
    }
  }
  return curves;
}
