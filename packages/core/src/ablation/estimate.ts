import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type { DependencyContainer } from 'tsyringe';

import { selectBackend } from '../backend/select.js';
import { parsePluginOptions } from '../config/plugin-options.js';
import type { BackendName, Config } from '../config/schema.js';
import { resolveDescriptor } from '../container.js';
import { D2ueError } from '../errors.js';
import { deriveSeed } from '../random.js';
import { formatTimeSpan } from './progress.js';
import { trainingStep } from '../training/step.js';
import { canonicalJson, resolveTrainingPlugins, type TrainingPlugins } from './keys.js';
import type { AblationPlan } from './plan.js';
import { largestSizes, manifestOf, messageOf, runFolder, setUpCells } from './setup.js';

/** Measured step times of one (backbone, repulsion term, batch size) setting. */
export interface StepTiming {
  /** `AE 64×64, rar, batch 64`. */
  readonly label: string;

  /** Seconds of one training step of a learner with no seniors. */
  readonly secondsPerStep: number;

  /** Extra seconds per step for each frozen senior (its forward pass and the repulsion term). */
  readonly secondsPerSenior: number;
}

/** One training the grid still needs. */
export interface PlannedTraining {
  readonly key: string;

  /** The first cell that uses it. */
  readonly label: string;

  /** Members to train (K) and members already trained in a run that stopped part-way. */
  readonly members: number;
  readonly finished: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number | null;

  /** Estimated seconds, or null with `problem` saying why there is no estimate. */
  readonly seconds: number | null;
  readonly problem?: string;
}

/** The report of `d2ue ablate --dry-run`. */
export interface AblationDryRun {
  readonly cells: number;

  /** Distinct trainings of the grid, and how many of them are already complete in the ablation folder. */
  readonly distinctTrainings: number;
  readonly cachedTrainings: number;
  readonly trainings: readonly PlannedTraining[];

  /** Cells that would fail before training (unknown plug-in), with the reason. */
  readonly invalidCells: ReadonlyArray<{ readonly label: string; readonly reason: string }>;
  readonly backend: string;
  readonly timings: readonly StepTiming[];

  /** The sum of the estimates that could be made. */
  readonly totalSeconds: number;
}

/**
 * Counts the trainings a grid needs (distinct training keys not complete under `out/runs/`) and estimates their
 * time on the active backend. For each (backbone, repulsion term, batch size) setting it times one training step
 * after a warm-up step, alone and with one senior. It then extrapolates to epochs × steps per epoch × members.
 * Step counts come from the Med-AD split file (`data.json`) or a builder's `train` option, so nothing is trained
 * or built.
 *
 * @example
 * const dry = await dryRunAblation(plan, { out: 'ablations/paper' });
 * console.log(formatDryRun(dry));
 * @throws D2ueError `backend` when the backend cannot be loaded.
 */
export async function dryRunAblation(
  plan: AblationPlan,
  options: { readonly out: string; readonly backend?: BackendName; readonly log?: (line: string) => void },
): Promise<AblationDryRun> {
  const out = resolve(options.out);
  const backend = await selectBackend(options.backend ?? plan.base.backend);
  const setups = await setUpCells(plan);
  const sizes = largestSizes(plan, setups);

  const timings = new Map<string, StepTiming>();
  const trainings: PlannedTraining[] = [];
  const seen = new Set<string>();
  for (const cell of plan.cells) {
    const { key, container } = setups[cell.index]!;
    if (key === undefined || container === undefined || seen.has(key)) continue;
    seen.add(key);
    const members = sizes.get(key)!;
    const existing = manifestOf(runFolder(out, key));
    if ((existing?.members.length ?? 0) >= members) continue;

    // A run that stopped part-way continues from its members; a run of a smaller K is trained again from the start.
    const finished = (existing?.config.ensemble as { size?: number } | undefined)?.size === members ? existing!.members.length : 0;

    const plugins = resolveTrainingPlugins(cell.config, container);
    const timingKey = canonicalJson({
      backbone: [plugins.backbone.descriptor.id, plugins.backbone.options],
      repulsion: [plugins.repulsion.descriptor.id, plugins.repulsion.options, cell.config.repulsion.tap],
      batch: cell.config.training.batchSize,
    });
    if (!timings.has(timingKey)) {
      options.log?.(`timing ${settingLabel(cell.config, plugins)} on ${backend} ...`);
      timings.set(timingKey, timeSteps(cell.config, plugins));
    }
    const timing = timings.get(timingKey)!;

    const base = { key, label: cell.label, members, finished, epochs: cell.config.training.epochs };
    try {
      const stepsPerEpoch = Math.floor(trainingImages(cell.config, container) / cell.config.training.batchSize);
      let perEpoch = 0;
      for (let member = finished; member < members; member++) perEpoch += timing.secondsPerStep + member * timing.secondsPerSenior;
      trainings.push({ ...base, stepsPerEpoch, seconds: perEpoch * stepsPerEpoch * cell.config.training.epochs });
    } catch (error) {
      trainings.push({ ...base, stepsPerEpoch: null, seconds: null, problem: messageOf(error) });
    }
  }

  return {
    cells: plan.cells.length,
    distinctTrainings: seen.size,
    cachedTrainings: seen.size - trainings.length,
    trainings,
    invalidCells: plan.cells.flatMap((cell) => (setups[cell.index]!.error === undefined ? [] : [{ label: cell.label, reason: setups[cell.index]!.error! }])),
    backend,
    timings: [...timings.values()],
    totalSeconds: trainings.reduce((sum, training) => sum + (training.seconds ?? 0), 0),
  };
}

/** Times a warm-up step, then one step alone and one with a senior, on random input of the configured size. */
function timeSteps(config: Config, plugins: TrainingPlugins): StepTiming {
  const { descriptor, options } = plugins.backbone;
  const size = descriptor.imageSize(options);
  const { batchSize, learningRate, betas, adamEpsilon, seed } = config.training;
  const { weight, tap } = config.repulsion;

  // Step time does not depend on the pixel values; a seeded draw keeps the run reproducible.
  const batch = tf.randomUniform([batchSize, size, size, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
  const junior = descriptor.create(options, { seed: deriveSeed(seed, 'estimate', 'junior') });
  const senior = descriptor.create(options, { seed: deriveSeed(seed, 'estimate', 'senior') });
  const optimizer = tf.train.adam(learningRate, betas[0], betas[1], adamEpsilon);
  const repulsion = plugins.repulsion.descriptor.create(plugins.repulsion.options);
  try {
    const step = (seniors: typeof senior[]): number => {
      const started = performance.now();
      trainingStep({ junior, seniors, batch, repulsion, weight, tap, optimizer });
      return (performance.now() - started) / 1000;
    };

    // The first calls build weights and kernels; they are not timed.
    step([]);
    tf.tidy(() => {
      senior.apply(batch, { training: false, taps: [tap] });
    });
    const alone = step([]);
    const withSenior = step([senior]);
    return { label: settingLabel(config, plugins), secondsPerStep: alone, secondsPerSenior: Math.max(0, withSenior - alone) };
  } finally {
    junior.dispose();
    senior.dispose();
    optimizer.dispose();
    batch.dispose();
  }
}

/** Normal training images of a cell: `data.json`'s `train.0`, or a builder's `train` option. */
function trainingImages(config: Config, container: DependencyContainer): number {
  const { data } = config;
  if (data.root !== undefined) {
    const file = join(data.root, 'data.json');
    let split: { train?: Record<string, unknown> };
    try {
      split = JSON.parse(readFileSync(file, 'utf8')) as typeof split;
    } catch (error) {
      throw new D2ueError('data', `cannot read ${file} (${(error as Error).message}); point data.root at a Med-AD folder to get an estimate.`, { subject: file, cause: error });
    }
    const normal = split.train?.['0'];
    if (!Array.isArray(normal)) throw new D2ueError('data', `${file} has no "train": {"0": [...]} list of normal training images.`, { subject: file });
    return normal.length;
  }

  const descriptor = resolveDescriptor(container, 'dataset', data.builder!, 'data.builder');
  const options = parsePluginOptions(descriptor, { ...data }, 'data', ['builder', 'root', 'intensityRange']) as Record<string, unknown>;
  if (typeof options.train !== 'number') {
    throw new D2ueError('data', `dataset builder "${descriptor.id}" has no "train" count, so the steps per epoch are unknown; build the data once and set data.root.`, {
      subject: 'data.builder',
    });
  }
  return options.train;
}

function settingLabel(config: Config, plugins: TrainingPlugins): string {
  const size = plugins.backbone.descriptor.imageSize(plugins.backbone.options);
  return `${plugins.backbone.descriptor.id} ${size}×${size}, ${plugins.repulsion.descriptor.id}, batch ${config.training.batchSize}`;
}

/**
 * Formats the dry run for stdout: cells, trainings, measured step times and the estimated total.
 *
 * @example
 * process.stdout.write(formatDryRun(await dryRunAblation(plan, { out })));
 */
export function formatDryRun(plan: AblationPlan, dry: AblationDryRun): string {
  const axes = plan.axes.map((axis) => `${axis.name} (${axis.values.length})`).join(' × ') || 'no axes';
  const sizes = [...new Set(dry.trainings.map((training) => training.members))].join(', ');
  const lines = [
    `grid: ${axes} = ${plan.rows.length} rows × ${plan.seeds.length} seed(s) = ${dry.cells} cells; scorer columns: ${plan.scorers.map((entry) => (typeof entry === 'string' ? entry : entry.name)).join(', ')}`,
    `trainings: ${dry.trainings.length} to run${sizes ? ` (K = ${sizes} members each)` : ''}; ${dry.cachedTrainings} of ${dry.distinctTrainings} already complete in the ablation folder`,
  ];
  if (dry.timings.length > 0) {
    lines.push(`measured on ${dry.backend} (one step after a warm-up step, alone and with one senior):`);
    for (const timing of dry.timings) {
      lines.push(`  ${timing.label}: ${timing.secondsPerStep.toFixed(3)} s per step, + ${timing.secondsPerSenior.toFixed(3)} s per senior`);
    }
  }
  const unknown = dry.trainings.filter((training) => training.seconds === null);
  const known = dry.trainings.length - unknown.length;
  lines.push(
    `estimated training time on ${dry.backend}: ${formatTimeSpan(dry.totalSeconds)} for ${known} training(s). ` +
      'This is an estimate: measured step times × steps per epoch × epochs × members; evaluation and data loading are not included.',
  );
  for (const problem of [...new Set(unknown.map((training) => training.problem!))]) {
    const count = unknown.filter((training) => training.problem === problem).length;
    lines.push(`not estimated (${count} training(s)): ${problem}`);
  }
  for (const cell of dry.invalidCells) lines.push(`will fail: ${cell.label}: ${cell.reason.replace(/\s+/g, ' ')}`);
  return `${lines.join('\n')}\n`;
}
