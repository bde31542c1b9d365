import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type { DependencyContainer } from 'tsyringe';

import { selectBackend } from '../backend/select.js';
import { validateConfig } from '../config/load.js';
import type { BackendName, Config } from '../config/schema.js';
import type { Backbone } from '../contracts/backbone.js';
import type { MedAdData } from '../contracts/dataset.js';
import { D2ueError } from '../errors.js';
import { evaluateScorer, type ScorerOutcome } from '../evaluation/evaluate.js';
import { writeFileAtomic } from '../io/atomic.js';
import { resultRows, writeResults, type ResultRow } from '../report/results.js';
import { hashBytes } from '../run/hash.js';
import { readManifest, type Manifest, type ManifestMember } from '../run/manifest.js';
import { loadMemberWeights } from '../run/member-weights.js';
import { loadData } from './data.js';
import { loadPlugins } from './plugins.js';
import { resolvePlugins, type ResolvedPlugins } from './resolve.js';

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  /** Scorer ids to run instead of the config's. */
  readonly scorers?: readonly string[];

  /** Use the manifest's first k members. */
  readonly ensembleSize?: number;
  readonly backend?: BackendName;

  /** Already trained members and data (the demo passes them on), so nothing is reloaded. */
  readonly members?: readonly Backbone[];
  readonly data?: MedAdData;
  readonly onProgress?: (scorer: string, done: number, total: number) => void;
}

/** The outcome of evaluating a run. */
export interface RunEvaluation {
  readonly outcomes: readonly ScorerOutcome[];
  readonly rows: readonly ResultRow[];
}

/**
 * Scores a run's test split with each scorer and writes `scores/<scorer>[.<options-hash>].k<K>.json` and
 * `reports/results.{json,md}`. Members come from the manifest only (its first k when `ensembleSize` is given).
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
  const members = options.members ? options.members.slice(0, size) : loadMembers(runDir, manifest.members.slice(0, size), plugins);

  try {
    const outcomes = plugins.scorers.map(({ descriptor, options: scorerOptions }) => {
      const outcome = evaluateScorer(descriptor.create(scorerOptions), members, data.test, {
        onProgress: (done, total) => options.onProgress?.(descriptor.id, done, total),
      });
      writeScores(runDir, outcome, scorerOptions);
      return outcome;
    });
    const rows = resultRows(outcomes);
    writeResults(runDir, rows, `results.k${size}`);
    return { outcomes, rows };
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

function loadMembers(runDir: string, entries: readonly ManifestMember[], plugins: ResolvedPlugins): Backbone[] {
  return entries.map((entry) => {
    const backbone = plugins.backbone.descriptor.create(plugins.backbone.options, { seed: entry.seeds.init });
    loadMemberWeights(runDir, entry.weights, entry.sha256, backbone);
    return backbone;
  });
}

/** `scores/<scorer>[.<options-hash>].k<K>.json`: one file per scorer, options and ensemble size, never overwritten by another. */
function writeScores(runDir: string, outcome: ScorerOutcome, options: Record<string, unknown>): void {
  const dir = join(runDir, 'scores');
  mkdirSync(dir, { recursive: true });
  const optionsTag = Object.keys(options).length > 0 ? `.${hashBytes(JSON.stringify(options)).slice(0, 8)}` : '';
  const file = join(dir, `${outcome.scorer}${optionsTag}.k${outcome.members}.json`);
  writeFileAtomic(file, `${JSON.stringify({ ...outcome, options, backend: tf.getBackend() }, null, 2)}\n`);
}
