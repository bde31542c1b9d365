import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { beforeAll, describe, it } from 'vitest';

import { selectBackend } from '../backend/select.js';
import type { BackendName } from '../config/schema.js';
import type { RegisterPlugins } from '../container.js';
import type { BuiltDataset, DatasetBuilder } from '../contracts/dataset.js';
import type { DatasetDescriptor } from '../plugin.js';
import { ConformanceError, type ConformanceRule, underRuleAsync } from './conformance-error.js';
import { checkOptionsSchema, checkRegistered, pluginLabel } from './shared.js';

/** Settings of the dataset builder checks. Keep the options small, because each check builds up to two folders. */
export interface DatasetConformanceSettings {
  /** Options as a config gives them; the schema fills in defaults. */
  readonly options?: Record<string, unknown>;

  /** The side of the images the builder writes; default 32. */
  readonly imageSize?: number;

  /** The sampling seed; default `conformance`. */
  readonly seed?: string;

  /** Makes an empty scratch folder for one build; default a new folder under the OS temporary folder. */
  readonly scratch?: () => string;

  /** The package's `register`, to check rule `registration under its token`. */
  readonly register?: RegisterPlugins;

  /** The tensor backend the describe wrapper selects first; default `cpu`; `false` keeps the current one. */
  readonly backend?: BackendName | false;
}

/** A dataset builder check: resolves, or rejects with a {@link ConformanceError} naming its rule. */
export type DatasetCheck = (descriptor: DatasetDescriptor, settings?: DatasetConformanceSettings) => Promise<void>;

interface Prepared {
  readonly label: string;
  readonly options: unknown;
  readonly imageSize: number;
  readonly seed: string;
  readonly scratch: () => string;
}

function prepare(descriptor: DatasetDescriptor, settings: DatasetConformanceSettings = {}): Prepared {
  return {
    label: pluginLabel(descriptor),
    options: checkOptionsSchema(descriptor, settings.options ?? {}),
    imageSize: settings.imageSize ?? 32,
    seed: settings.seed ?? 'conformance',
    scratch: settings.scratch ?? (() => mkdtempSync(path.join(tmpdir(), 'd2ue-conformance-'))),
  };
}

function create(descriptor: DatasetDescriptor, prepared: Prepared): DatasetBuilder {
  return descriptor.create(prepared.options, { imageSize: prepared.imageSize, seed: prepared.seed });
}

async function buildIn(descriptor: DatasetDescriptor, prepared: Prepared): Promise<BuiltDataset> {
  return create(descriptor, prepared).build(path.join(prepared.scratch(), 'med-ad'));
}

/** Reads the three lists of data.json and checks that each is a list of names. */
async function readSplits(rule: ConformanceRule, label: string, root: string): Promise<{ train: string[]; normal: string[]; abnormal: string[] }> {
  const file = path.join(root, 'data.json');
  const data = JSON.parse(await readFile(file, 'utf8')) as { train?: Record<string, unknown>; test?: Record<string, unknown> };
  const list = (value: unknown, where: string): string[] => {
    if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
      throw new ConformanceError(rule, label, `${file}: "${where}" must be a list of image file names.`);
    }
    return value as string[];
  };
  return { train: list(data.train?.['0'], 'train.0'), normal: list(data.test?.['0'], 'test.0'), abnormal: list(data.test?.['1'], 'test.1') };
}

/** SHA-256 of every image file of a built folder, by name. */
async function imageHashes(root: string, names: readonly string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const name of names) hashes.set(name, createHash('sha256').update(await readFile(path.join(root, 'images', name))).digest('hex'));
  return hashes;
}

/**
 * Rule `options schema` for a dataset builder.
 *
 * @example
 * await checkDatasetOptions(mnistBuilder, { options: { train: 64 } });
 * @throws ConformanceError naming the rule.
 */
export const checkDatasetOptions: DatasetCheck = async (descriptor, settings) => {
  prepare(descriptor, settings);
};

/**
 * Rule `valid Med-AD folder`: build() writes data.json with `train.0`, `test.0` and `test.1`, every listed image
 * exists and is a single-channel imageSize × imageSize picture, no image is both for training and for testing,
 * the counts it returns match the lists, the builder carries the descriptor's id, and no tensor is left behind.
 *
 * @example
 * await checkDatasetFolder(mnistBuilder, { options: { train: 64, testNormal: 16, testAbnormal: 16 } });
 * @throws ConformanceError naming the rule and the file.
 */
export const checkDatasetFolder: DatasetCheck = async (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'valid Med-AD folder';
  const label = prepared.label;

  const builder = create(descriptor, prepared);
  if (builder.id !== descriptor.id) throw new ConformanceError('matching id', label, `the builder's id is "${builder.id}", expected "${descriptor.id}".`);

  const before = tf.memory().numTensors;
  const built = await underRuleAsync(rule, label, () => builder.build(path.join(prepared.scratch(), 'med-ad')));
  if (tf.memory().numTensors !== before) {
    throw new ConformanceError('no tensor leaks', label, `build() changed the number of live tensors from ${before} to ${tf.memory().numTensors}.`);
  }

  const splits = await underRuleAsync(rule, label, () => readSplits(rule, label, built.root));
  const counts = { train: splits.train.length, testNormal: splits.normal.length, testAbnormal: splits.abnormal.length };
  if (JSON.stringify(counts) !== JSON.stringify(built.counts)) {
    throw new ConformanceError(rule, label, `build() reports counts ${JSON.stringify(built.counts)} but data.json lists ${JSON.stringify(counts)}.`);
  }
  if (counts.train === 0 || counts.testNormal === 0 || counts.testAbnormal === 0) {
    throw new ConformanceError(rule, label, `every split needs images, got ${JSON.stringify(counts)}.`);
  }

  const training = new Set(splits.train);
  const overlap = [...splits.normal, ...splits.abnormal].filter((name) => training.has(name));
  if (overlap.length > 0) throw new ConformanceError(rule, label, `"${overlap[0]}" is listed for training and for testing.`);

  for (const name of [...splits.train, ...splits.normal, ...splits.abnormal]) {
    const file = path.join(built.root, 'images', name);
    const meta = await underRuleAsync(rule, label, () => sharp(file).metadata());
    if (meta.width !== prepared.imageSize || meta.height !== prepared.imageSize) {
      throw new ConformanceError(rule, label, `${file} is ${meta.width}×${meta.height}, expected ${prepared.imageSize}×${prepared.imageSize} (the context's imageSize).`);
    }
    if (meta.channels !== 1 && meta.space !== 'b-w') {
      throw new ConformanceError(rule, label, `${file} has ${meta.channels} channels, expected a greyscale image.`);
    }
  }
};

/**
 * Rule `determinism under a seed`: two builds with one seed and one set of options, in two folders, write the
 * same data.json and byte-identical images.
 *
 * @example
 * await checkDatasetDeterminism(mnistBuilder, { options: { train: 64 } });
 * @throws ConformanceError naming the rule and the first differing file.
 */
export const checkDatasetDeterminism: DatasetCheck = async (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'determinism under a seed';
  const label = prepared.label;

  const first = await underRuleAsync(rule, label, () => buildIn(descriptor, prepared));
  const second = await underRuleAsync(rule, label, () => buildIn(descriptor, prepared));

  const [a, b] = await Promise.all([readFile(path.join(first.root, 'data.json'), 'utf8'), readFile(path.join(second.root, 'data.json'), 'utf8')]);
  if (a !== b) throw new ConformanceError(rule, label, `two builds with seed "${prepared.seed}" write different data.json files (${first.root}, ${second.root}).`);

  const splits = await readSplits(rule, label, first.root);
  const names = [...splits.train, ...splits.normal, ...splits.abnormal];
  const [left, right] = await Promise.all([imageHashes(first.root, names), imageHashes(second.root, names)]);
  const differing = names.find((name) => left.get(name) !== right.get(name));
  if (differing !== undefined) throw new ConformanceError(rule, label, `two builds with seed "${prepared.seed}" write different bytes for images/${differing}.`);
};

/**
 * Rule `reuse of a built folder`: building again into a finished folder with the same options returns the same
 * counts and rewrites no image.
 *
 * @example
 * await checkDatasetReuse(mnistBuilder, { options: { train: 64 } });
 * @throws ConformanceError naming the rule and the rewritten file.
 */
export const checkDatasetReuse: DatasetCheck = async (descriptor, settings) => {
  const prepared = prepare(descriptor, settings);
  const rule: ConformanceRule = 'reuse of a built folder';
  const label = prepared.label;
  const root = path.join(prepared.scratch(), 'med-ad');

  const first = await underRuleAsync(rule, label, () => create(descriptor, prepared).build(root));
  const splits = await readSplits(rule, label, first.root);
  const sample = path.join(first.root, 'images', splits.train[0]!);
  const written = (await stat(sample)).mtimeMs;

  const again = await underRuleAsync(rule, label, () => create(descriptor, prepared).build(root));
  if (JSON.stringify(again.counts) !== JSON.stringify(first.counts)) {
    throw new ConformanceError(rule, label, `a second build returns counts ${JSON.stringify(again.counts)}, the first ${JSON.stringify(first.counts)}.`);
  }
  if ((await stat(sample)).mtimeMs !== written) {
    throw new ConformanceError(rule, label, `a second build with the same options rewrote ${sample}; reuse a complete folder.`);
  }
};

/** Every dataset builder check with its rule, in the order the describe wrapper runs them. */
export const DATASET_CHECKS: ReadonlyArray<readonly [ConformanceRule, DatasetCheck]> = [
  ['options schema', checkDatasetOptions],
  ['valid Med-AD folder', checkDatasetFolder],
  ['determinism under a seed', checkDatasetDeterminism],
  ['reuse of a built folder', checkDatasetReuse],
];

/**
 * Declares a vitest suite `dataset "<id>" conformance` with one test per rule, plus
 * `rule: registration under its token` when `settings.register` is given.
 *
 * @example
 * import { describeDatasetConformance } from '@d2ue/core/testing';
 * import { mnistBuilder, register } from '@d2ue/datasets';
 *
 * describeDatasetConformance(mnistBuilder, { options: { train: 64, testNormal: 16, testAbnormal: 16 }, register });
 */
export function describeDatasetConformance(descriptor: DatasetDescriptor, settings: DatasetConformanceSettings = {}): void {
  describe(`${pluginLabel(descriptor)} conformance`, () => {
    beforeAll(async () => {
      if (settings.backend !== false) await selectBackend(settings.backend ?? 'cpu');
    });

    for (const [rule, check] of DATASET_CHECKS) it(`rule: ${rule}`, () => check(descriptor, settings));

    const register = settings.register;
    if (register !== undefined) it('rule: registration under its token', () => void checkRegistered(register, 'dataset', descriptor.id));
  });
}
