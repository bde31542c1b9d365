import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type { DependencyContainer } from 'tsyringe';

import { selectBackend, type ConcreteBackend } from '../backend/select.js';
import { validateConfig } from '../config/load.js';
import { BackendNameSchema, type BackendName, type Config } from '../config/schema.js';
import type { Backbone } from '../contracts/backbone.js';
import type { MedAdData } from '../contracts/dataset.js';
import { D2ueError, describeValue } from '../errors.js';
import { CHECKPOINT_FILE, memberDir, saveCheckpoint } from '../run/checkpoint.js';
import { firstDifference } from '../run/config-diff.js';
import { hashBytes } from '../run/hash.js';
import { MANIFEST_FILE, readManifest, writeManifest, type Manifest, type ManifestMember } from '../run/manifest.js';
import { memberWeightsPath, saveMemberWeights } from '../run/member-weights.js';
import { loadResumeState, type ResumeState } from '../run/resume.js';
import { memberSeeds } from '../training/seeds.js';
import { TrainingStopped, type StopPoint } from '../training/stop.js';
import { trainEnsemble, type TrainingObserver } from '../training/trainer.js';
import { loadData, resolveDataRoot } from './data.js';
import { loadPlugins } from './plugins.js';
import { resolvePlugins, type ResolvedPlugins } from './resolve.js';
import { checkRunDir, prepareRunDir, resumableRunDir } from './run-dir.js';
import { packageVersions } from './versions.js';

/** Options of {@link trainRun}. */
export interface TrainRunOptions {
  /** The run folder; must be empty unless `overwrite` or `resume`. */
  readonly out: string;
  readonly overwrite?: boolean;

  /**
   * Continue the run in `out`: members its manifest lists are loaded, not retrained, and the next one continues
   * from its latest complete checkpoint. The config must be the run's (see {@link resumeRun}).
   */
  readonly resume?: boolean;

  /** Overrides `config.backend` (on resume: the backend the run was trained on). */
  readonly backend?: BackendName;

  /** Progress hooks, e.g. the CLI's log lines. */
  readonly observer?: TrainingObserver;

  /** One line per notable event (data ready, member saved). */
  readonly log?: (line: string) => void;

  /** Once aborted, training finishes its step, saves a checkpoint and trainRun throws `TrainingStopped`. */
  readonly signal?: AbortSignal;
}

/** A finished training run, still in memory. */
export interface TrainedRun {
  readonly runDir: string;
  readonly manifest: Manifest;
  readonly members: Backbone[];
  readonly data: MedAdData;
  readonly plugins: ResolvedPlugins;
  readonly container: DependencyContainer;
  readonly backend: ConcreteBackend;
}

// Keys that may differ between a run and its resume: neither changes what is trained.
const RESUMABLE_CHANGES = ['backend', 'training.checkpointEvery'];

/**
 * Trains a run: config → plug-ins → data → sequential training → run folder. The manifest is rewritten after every
 * member, so a run that stops early still lists exactly the members that finished. Each member also keeps its
 * latest checkpoint.
 *
 * @throws D2ueError `run` for a non-empty `out` without `overwrite`/`resume`, or a resume whose config or split
 *   differs from the run's; `TrainingStopped` after `signal` aborted it (the message says how to resume).
 */
export async function trainRun(config: Config, options: TrainRunOptions): Promise<TrainedRun> {
  const log = options.log ?? (() => undefined);
  if (options.resume && options.overwrite) {
    throw new D2ueError('config', '--resume and --overwrite exclude each other: --resume continues the run, --overwrite deletes it.');
  }
  const previous = options.resume ? readManifest(resumableRunDir(options.out)) : undefined;
  if (!previous) checkRunDir(options.out, options.overwrite);

  const backend = await selectBackend(options.backend ?? (previous ? recordedBackend(previous, config) : config.backend));
  const container = await loadPlugins(config.plugins);
  const plugins = resolvePlugins(config, container);

  // A resumed run reads the folder it was trained on (a builder's cache may have moved; its hash is checked below).
  const root = previous && config.data.root !== undefined ? previous.data.root : await resolveDataRoot(config, container, plugins.imageSize);
  const data = await loadData(root, config, container, plugins.imageSize);
  const splitSha256 = hashBytes(readFileSync(join(root, 'data.json')));
  log(`data: ${root} (${data.train.ids.length} training, ${data.test.ids.length} test images, ${plugins.imageSize}×${plugins.imageSize})`);

  const seed = config.training.seed;
  const resolved = resolvedConfig(config, plugins);
  let runDir: string;
  let manifest: Manifest;
  if (previous) {
    runDir = resolve(options.out);
    assertSameRun(runDir, previous, resolved, splitSha256, container);
    if (previous.backend !== backend) log(`NOTE: the run was trained on ${previous.backend} and continues on ${backend}; its results will not match an uninterrupted run bit for bit.`);
    manifest = { ...previous, resumedAt: [...(previous.resumedAt ?? []), new Date().toISOString()] };
  } else {
    runDir = prepareRunDir(options.out, options.overwrite);
    manifest = {
      format: 'd2ue-run/1',
      createdAt: new Date().toISOString(),
      config: resolved,
      backend,
      versions: packageVersions(),
      data: { root, splitSha256, train: data.train.ids.length, test: data.test.ids.length },
      members: [],
    };
  }
  writeManifest(runDir, manifest);

  const createMember = (member: number): Backbone =>
    plugins.backbone.descriptor.create(plugins.backbone.options, { seed: memberSeeds(seed, member).init });
  const state: ResumeState = previous ? loadResumeState(runDir, previous, config.ensemble.size, createMember, log) : { finished: [] };
  if (previous && state.finished.length === config.ensemble.size) log(`all ${config.ensemble.size} members were already trained; nothing to resume`);

  let members: Backbone[];
  try {
    members = await trainEnsemble(
      {
        createMember,
        repulsion: plugins.repulsion.descriptor.create(plugins.repulsion.options),
        weight: config.repulsion.weight,
        tap: config.repulsion.tap,
        ensembleSize: config.ensemble.size,
        training: config.training,
        train: data.train,
        finished: state.finished,
        ...(state.resume ? { resume: state.resume } : {}),
        checkpoint: (live) => saveCheckpoint(runDir, live),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      {
        ...options.observer,
        onMemberStart: (member, steps, start) => {
          mkdirSync(memberDir(runDir, member), { recursive: true });
          options.observer?.onMemberStart?.(member, steps, start);
        },
        onEpochEnd: (record) => {
          appendFileSync(join(memberDir(runDir, record.member), 'metrics.jsonl'), `${JSON.stringify(record)}\n`);
          options.observer?.onEpochEnd?.(record);
        },
        onMemberEnd: async (member, backbone) => {
          const entry: ManifestMember = {
            index: member,
            seeds: memberSeeds(seed, member),
            weights: memberWeightsPath(member),
            sha256: saveMemberWeights(runDir, member, backbone),
          };
          manifest.members.push(entry);
          writeManifest(runDir, manifest);
          log(`member ${member}: saved ${entry.weights}`);
          await options.observer?.onMemberEnd?.(member, backbone);
        },
      },
    );
  } catch (error) {
    if (error instanceof TrainingStopped) throw new TrainingStopped(error.point, stopMessage(runDir, error.point, data.train.ids.length, config));
    throw error;
  } finally {
    if (state.resume) tf.dispose([...state.resume.weights.values()]);
  }

  return { runDir, manifest, members, data, plugins, container, backend };
}

/**
 * Continues the run in `runDir` with the config its manifest records (`d2ue train --resume DIR`).
 *
 * @throws D2ueError `run` when `runDir` contains no run.
 */
export async function resumeRun(runDir: string, options: Omit<TrainRunOptions, 'out' | 'resume' | 'overwrite'> = {}): Promise<TrainedRun> {
  const dir = resumableRunDir(runDir);
  const config = validateConfig(readManifest(dir).config, join(dir, MANIFEST_FILE));
  return trainRun(config, { ...options, out: dir, resume: true });
}

/** Returns the config as run: defaults filled in and each plug-in section replaced by its validated options. */
function resolvedConfig(config: Config, plugins: ResolvedPlugins): Record<string, unknown> {
  return {
    ...config,
    backbone: { name: plugins.backbone.descriptor.id, ...plugins.backbone.options },
    repulsion: { name: plugins.repulsion.descriptor.id, weight: config.repulsion.weight, tap: config.repulsion.tap, ...plugins.repulsion.options },
    scorers: plugins.scorers.map(({ descriptor, options }) => (Object.keys(options).length > 0 ? { name: descriptor.id, ...options } : descriptor.id)),
  };
}

/** Refuses to resume with another config (e.g. more epochs) or another training split than the run had. */
function assertSameRun(runDir: string, previous: Manifest, resolved: Record<string, unknown>, splitSha256: string, container: DependencyContainer): void {
  const manifestFile = join(runDir, MANIFEST_FILE);

  // The recorded config goes through the same resolution, so defaults added since the run was made compare equal.
  const recordedConfig = validateConfig(previous.config, manifestFile);
  const recorded = resolvedConfig(recordedConfig, resolvePlugins(recordedConfig, container));
  const difference = firstDifference(recorded, resolved, RESUMABLE_CHANGES);
  if (difference) {
    throw new D2ueError(
      'run',
      `--resume ${runDir}: the config differs from the run's at "${difference.path}" (run: ${describeValue(difference.left)}, ` +
        `given: ${describeValue(difference.right)}). Resume without --config to use the run's own, or start a new run with --out.`,
      { subject: difference.path },
    );
  }
  if (splitSha256 !== previous.data.splitSha256) {
    throw new D2ueError('run', `--resume ${runDir}: the data split (data.json) differs from the one the run was trained on; start a new run.`, {
      subject: manifestFile,
    });
  }
}

/** Returns the backend the run was trained on, so that a resume reproduces its results bit for bit. */
function recordedBackend(previous: Manifest, config: Config): BackendName {
  const parsed = BackendNameSchema.safeParse(previous.backend);
  return parsed.success ? parsed.data : config.backend;
}

function stopMessage(runDir: string, point: StopPoint, trainImages: number, config: Config): string {
  const steps = Math.floor(trainImages / config.training.batchSize);
  const reason = typeof point.reason === 'string' && point.reason.startsWith('SIG') ? point.reason : 'a stop request';
  const checkpoint = join(memberDir(runDir, point.member), CHECKPOINT_FILE);
  let where: string;
  if (point.saved) where = `member ${point.member} stopped at epoch ${point.epoch + 1}, step ${point.step} of ${steps}; ${checkpoint} holds that point`;
  else if (point.member === 0) where = 'no member had started';
  else if (point.member === 1) where = 'member 0 is saved and member 1 had not started';
  else where = `members 0..${point.member - 1} are saved and member ${point.member} had not started`;
  return `Stopped by ${reason}: ${where}. Continue with: d2ue train --resume ${runDir}`;
}
