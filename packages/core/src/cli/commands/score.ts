import { join } from 'node:path';

import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';

import { loadRunMembers, scoresTag } from '../../app/evaluate-run.js';
import { loadPlugins } from '../../app/plugins.js';
import { resolvePlugins } from '../../app/resolve.js';
import { selectBackend } from '../../backend/select.js';
import { validateConfig } from '../../config/load.js';
import type { BackendName } from '../../config/schema.js';
import { resolveDescriptor } from '../../container.js';
import { D2ueError } from '../../errors.js';
import { batchRanges, gatherBatch, range } from '../../training/batches.js';
import { readManifest } from '../../run/manifest.js';
import { parseBackend, parseCount } from '../option-parsers.js';

/** Options of {@link scoreImages}. */
export interface ScoreImagesOptions {
  /** Scorer ids to run instead of the run config's. */
  readonly scorers?: readonly string[];

  /** Use the manifest's first k members. */
  readonly ensembleSize?: number;
  readonly backend?: BackendName;

  /** Images per scoring batch; scores do not depend on it. Default 32. */
  readonly batchSize?: number;
}

/** One scorer's scores of the new images, or why it does not apply. */
export type ImageFileScores =
  | { readonly tag: string; readonly status: 'ok'; readonly scores: readonly number[] }
  | { readonly tag: string; readonly status: 'n/a'; readonly reason: string };

/**
 * Scores image files outside the run's data with a trained run: members from the manifest (as `d2ue evaluate` loads
 * them), images decoded by the run's loader exactly as its test split was (grey, resized, scaled).
 *
 * @example
 * const { ids, results } = await scoreImages('runs/demo-1', ['scan.png']);
 * @throws D2ueError `data` for a path that is not a readable image; `run` for a damaged run folder; `plugin` when the
 * loader cannot read single files.
 */
export async function scoreImages(
  runDir: string,
  files: readonly string[],
  options: ScoreImagesOptions = {},
): Promise<{ ids: readonly string[]; results: ImageFileScores[] }> {
  const manifest = readManifest(runDir);
  const overrides = options.scorers ? { scorers: [...options.scorers] } : {};
  const config = validateConfig({ ...manifest.config, ...overrides }, join(runDir, 'manifest.json'));
  await selectBackend(options.backend ?? config.backend);
  const container = await loadPlugins(config.plugins);
  const plugins = resolvePlugins(config, container);

  const size = options.ensembleSize ?? manifest.members.length;
  if (size < 1 || size > manifest.members.length) {
    throw new D2ueError('run', `--ensemble-size ${size}: the run lists ${manifest.members.length} trained members; choose 1..${manifest.members.length}.`, {
      subject: 'ensemble-size',
    });
  }

  const descriptor = resolveDescriptor(container, 'loader', 'med-ad', 'data');
  const loader = descriptor.create(descriptor.options.parse({}));
  if (!loader.loadImages) {
    throw new D2ueError('plugin', `loader "${descriptor.id}" cannot read single image files (no loadImages); update the dataset plug-in.`, {
      subject: `loader:${descriptor.id}`,
    });
  }
  const images = await loader.loadImages(files, {
    imageSize: plugins.imageSize,
    ...(config.data.intensityRange ? { intensityRange: config.data.intensityRange } : {}),
  });

  const members = loadRunMembers(runDir, manifest.members.slice(0, size), plugins);
  try {
    const results = plugins.scorers.map(({ descriptor: scorerDescriptor, options: scorerOptions }): ImageFileScores => {
      const scorer = scorerDescriptor.create(scorerOptions);
      const tag = scoresTag(scorerDescriptor.id, scorerOptions);
      if (members.length < scorer.minMembers) {
        const because = scorer.minMembersReason ? ` (${scorer.minMembersReason})` : '';
        return { tag, status: 'n/a', reason: `needs at least ${scorer.minMembers} members${because}, the ensemble has ${members.length}` };
      }

      const scores: number[] = [];
      for (const [start, end] of batchRanges(images.ids.length, options.batchSize ?? 32)) {
        const batch = gatherBatch(images, range(start, end));
        const result = scorer.score(members, batch);
        scores.push(...result.imageScores.dataSync());
        tf.dispose([batch, result.imageScores, result.pixelMaps]);
      }
      return { tag, status: 'ok', scores };
    });
    return { ids: images.ids, results };
  } finally {
    for (const member of members) member.dispose();
  }
}

/** Formats one line per image, `<file>\t<scorer>=<score> ...`, with "n/a" for a scorer that does not apply. */
export function formatImageScores(ids: readonly string[], results: readonly ImageFileScores[]): string[] {
  return ids.map(
    (id, i) => `${id}\t${results.map((result) => `${result.tag}=${result.status === 'ok' ? result.scores[i]!.toPrecision(6) : 'n/a'}`).join(' ')}`,
  );
}

/** `d2ue score --run DIR [--scorers a,b] [--ensemble-size k] [--backend NAME] IMAGE...`. */
export function installScore(program: Command): void {
  program
    .command('score')
    .description('score new image files with a trained run; prints one line per image: <file>\\t<scorer>=<score> ...')
    .requiredOption('--run <dir>', 'run folder written by d2ue train or d2ue demo')
    .argument('<images...>', 'PNG or JPEG files')
    .option('--scorers <ids>', 'comma-separated scorer ids (default: the run config\'s)')
    .option('--ensemble-size <k>', 'use the first k members of the run', parseCount)
    .option('--batch-size <n>', 'images per scoring batch (scores do not depend on it)', parseCount)
    .option('--backend <name>', 'auto, gpu, node, wasm or cpu', parseBackend)
    .action(async (files: string[], options: { run: string; scorers?: string; ensembleSize?: number; batchSize?: number; backend?: string }) => {
      const { ids, results } = await scoreImages(options.run, files, {
        ...(options.scorers ? { scorers: options.scorers.split(',').map((id) => id.trim()).filter(Boolean) } : {}),
        ...(options.ensembleSize !== undefined ? { ensembleSize: options.ensembleSize } : {}),
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        ...(options.backend ? { backend: (options.backend as BackendName) } : {}),
      });
      for (const result of results) if (result.status === 'n/a') process.stderr.write(`d2ue: ${result.tag} is n/a: ${result.reason}\n`);
      process.stdout.write(`${formatImageScores(ids, results).join('\n')}\n`);
    });
}
