import { isAbsolute, resolve } from 'node:path';

import type { DependencyContainer } from 'tsyringe';

import { parsePluginOptions } from '../config/plugin-options.js';
import type { Config } from '../config/schema.js';
import { resolveDescriptor } from '../container.js';
import type { BackboneDescriptor, RepulsionDescriptor } from '../plugin.js';
import { hashBytes } from '../run/hash.js';

/** A scorer as a config lists it: an id, or `{ name, ...options }`. */
export type ScorerEntry = Config['scorers'][number];

/** Bump when the meaning of a training key changes, so older cached runs are not reused by mistake. */
const RUN_KEY_FORMAT = 'd2ue-ablation-run/1';

/** Training keys that do not change what is trained: how often checkpoints are written. */
const UNTRAINED_KEYS = ['checkpointEvery'];

/**
 * JSON with object keys sorted at every level, so equal values give equal text (and equal hashes) whatever order
 * their keys were written in.
 *
 * @example
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

/** Returns the identity of a scorer column: its id alone, or the canonical JSON of `{ name, ...options }`. */
export function scorerKey(entry: ScorerEntry): string {
  if (typeof entry === 'string') return entry;
  return Object.keys(entry).length === 1 ? entry.name : canonicalJson(entry);
}

/** Returns the header of a scorer column: `dsu`, or `single(member=1)` for a scorer with options. */
export function scorerLabel(entry: ScorerEntry): string {
  if (typeof entry === 'string') return entry;
  const options = Object.entries(entry)
    .filter(([key]) => key !== 'name')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return options.length > 0 ? `${entry.name}(${options.join(', ')})` : entry.name;
}

/** The backbone and repulsion term a config trains with, options validated by their plug-ins. */
export interface TrainingPlugins {
  readonly backbone: { readonly descriptor: BackboneDescriptor; readonly options: Record<string, unknown> };
  readonly repulsion: { readonly descriptor: RepulsionDescriptor; readonly options: Record<string, unknown> };
}

/**
 * Resolves only what training needs (backbone, repulsion term), so a bad scorer fails its column, not the training.
 *
 * @throws D2ueError `config`/`plugin` naming `backbone.name`, `repulsion.name` or the bad option.
 */
export function resolveTrainingPlugins(config: Config, container: DependencyContainer): TrainingPlugins {
  const backbone = resolveDescriptor(container, 'backbone', config.backbone.name, 'backbone.name');
  const repulsion = resolveDescriptor(container, 'repulsion', config.repulsion.name, 'repulsion.name');
  return {
    backbone: { descriptor: backbone, options: parsePluginOptions(backbone, config.backbone, 'backbone') as Record<string, unknown> },
    repulsion: {
      descriptor: repulsion,
      options: parsePluginOptions(repulsion, config.repulsion, 'repulsion', ['weight', 'tap']) as Record<string, unknown>,
    },
  };
}

/**
 * Computes the cache key of a training: a hash of everything that changes the trained members (backbone and repulsion term
 * with their validated options, λ, feature tap, training protocol, data, plug-in packages). Left out: the ensemble
 * size (members train in order, so a K-member run serves every k ≤ K), scorers, backend and checkpoint spacing.
 *
 * @example
 * const key = trainingKey(config, await loadPlugins(config.plugins)); // '3f9a0c1be2d47a65'
 * @throws D2ueError `config`/`plugin` when the backbone or repulsion term is unknown or has bad options.
 */
export function trainingKey(config: Config, container: DependencyContainer, cwd = process.cwd()): string {
  const plugins = resolveTrainingPlugins(config, container);
  const training: Record<string, unknown> = { ...config.training };
  for (const key of UNTRAINED_KEYS) delete training[key];
  const data: Record<string, unknown> = { ...config.data };
  if (typeof data.root === 'string' && !isAbsolute(data.root)) data.root = resolve(cwd, data.root);

  const identity = {
    format: RUN_KEY_FORMAT,
    backbone: { name: plugins.backbone.descriptor.id, ...plugins.backbone.options },
    repulsion: { name: plugins.repulsion.descriptor.id, weight: config.repulsion.weight, tap: config.repulsion.tap, ...plugins.repulsion.options },
    training,
    data,
    plugins: config.plugins,
  };
  return hashBytes(canonicalJson(identity)).slice(0, 16);
}
