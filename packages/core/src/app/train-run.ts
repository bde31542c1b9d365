import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { DependencyContainer } from 'tsyringe';

import { selectBackend, type ConcreteBackend } from '../backend/select.js';
import type { BackendName, Config } from '../config/schema.js';
import type { Backbone } from '../contracts/backbone.js';
import type { MedAdData } from '../contracts/dataset.js';
import { deriveSeed } from '../random.js';
import { hashBytes } from '../run/hash.js';
import { writeManifest, type Manifest, type ManifestMember } from '../run/manifest.js';
import { memberWeightsPath, saveMemberWeights } from '../run/member-weights.js';
import { trainEnsemble, type TrainingObserver } from '../training/trainer.js';
import { loadData, resolveDataRoot } from './data.js';
import { loadPlugins } from './plugins.js';
import { resolvePlugins, type ResolvedPlugins } from './resolve.js';
import { prepareRunDir } from './run-dir.js';
import { packageVersions } from './versions.js';

/** Options of {@link trainRun}. */
export interface TrainRunOptions {
  /** The run folder; must be empty unless `overwrite`. */
  readonly out: string;
  readonly overwrite?: boolean;

  /** Overrides `config.backend`. */
  readonly backend?: BackendName;

  /** Progress hooks, e.g. the CLI's log lines. */
  readonly observer?: TrainingObserver;

  /** One line per notable event (data ready, member saved). */
  readonly log?: (line: string) => void;
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

/**
 * config → plug-ins → data → sequential training → run folder. The manifest is rewritten after every member, so a
 * run that stops early still lists exactly the members that finished.
 */
export async function trainRun(config: Config, options: TrainRunOptions): Promise<TrainedRun> {
  const log = options.log ?? (() => undefined);
  const backend = await selectBackend(options.backend ?? config.backend);
  const container = await loadPlugins(config.plugins);
  const plugins = resolvePlugins(config, container);

  const root = await resolveDataRoot(config, container, plugins.imageSize);
  const data = await loadData(root, config, container, plugins.imageSize);
  log(`data: ${root} (${data.train.ids.length} training, ${data.test.ids.length} test images, ${plugins.imageSize}×${plugins.imageSize})`);

  const runDir = prepareRunDir(options.out, options.overwrite);
  const seed = config.training.seed;
  const manifest: Manifest = {
    format: 'd2ue-run/1',
    createdAt: new Date().toISOString(),
    config: resolvedConfig(config, plugins),
    backend,
    versions: packageVersions(),
    data: {
      root,
      splitSha256: hashBytes(readFileSync(join(root, 'data.json'))),
      train: data.train.ids.length,
      test: data.test.ids.length,
    },
    members: [],
  };
  writeManifest(runDir, manifest);

  const members = await trainEnsemble(
    {
      createMember: (member) =>
        plugins.backbone.descriptor.create(plugins.backbone.options, { seed: deriveSeed(seed, 'member', member, 'init') }),
      repulsion: plugins.repulsion.descriptor.create(plugins.repulsion.options),
      weight: config.repulsion.weight,
      tap: config.repulsion.tap,
      ensembleSize: config.ensemble.size,
      training: config.training,
      train: data.train,
    },
    {
      ...options.observer,
      onEpochEnd: (record) => {
        appendFileSync(join(runDir, 'members', String(record.member), 'metrics.jsonl'), `${JSON.stringify(record)}\n`);
        options.observer?.onEpochEnd?.(record);
      },
      onMemberStart: (member, steps) => {
        prepareMemberDir(runDir, member);
        options.observer?.onMemberStart?.(member, steps);
      },
      onMemberEnd: async (member, backbone) => {
        const entry: ManifestMember = {
          index: member,
          seeds: { init: deriveSeed(seed, 'member', member, 'init'), shuffle: deriveSeed(seed, 'member', member, 'shuffle') },
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

  return { runDir, manifest, members, data, plugins, container, backend };
}

/** The config as run: defaults filled in and each plug-in section replaced by its validated options. */
function resolvedConfig(config: Config, plugins: ResolvedPlugins): Record<string, unknown> {
  return {
    ...config,
    backbone: { name: plugins.backbone.descriptor.id, ...plugins.backbone.options },
    repulsion: { name: plugins.repulsion.descriptor.id, weight: config.repulsion.weight, tap: config.repulsion.tap, ...plugins.repulsion.options },
    scorers: plugins.scorers.map(({ descriptor, options }) => (Object.keys(options).length > 0 ? { name: descriptor.id, ...options } : descriptor.id)),
  };
}

function prepareMemberDir(runDir: string, member: number): void {
  mkdirSync(join(runDir, 'members', String(member)), { recursive: true });
}
