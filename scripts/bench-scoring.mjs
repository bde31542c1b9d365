#!/usr/bin/env node
/**
 * DSU scoring throughput for batch 1 and batch 32 (issue "Scorers, metrics and plots").
 *
 * Scores 32 images with a K = 3 ensemble of random-weight AE learners (paper architecture unless options say
 * otherwise) and prints images/s per batch size, plus the largest relative difference between the batch sizes'
 * scores (they must agree: per-sample gradients come from one batched backward pass).
 *
 * Usage (after `npx tsc -b`):
 *   node scripts/bench-scoring.mjs [--backend auto|cpu|wasm|node] [--image 64] [--width 1] [--repeats 2]
 */
import * as tf from '@tensorflow/tfjs-core';

import { Ae, AeOptionsSchema } from '../packages/backbones/dist/index.js';
import { batchRanges, gatherBatch, range, selectBackend } from '../packages/core/dist/index.js';
import { DsuScorer } from '../packages/uncertainty/dist/index.js';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const imageSize = Number(args.image ?? 64);
const widthMultiplier = Number(args.width ?? 1);
const repeats = Number(args.repeats ?? 2);
const count = 32;

const backend = await selectBackend(args.backend ?? process.env.D2UE_BACKEND ?? 'auto');
const options = AeOptionsSchema.parse({ imageSize, widthMultiplier });
const members = ['bench/0', 'bench/1', 'bench/2'].map((seed) => new Ae(options, seed));
const images = tf.randomUniform([count, imageSize, imageSize, 1], -1, 1, 'float32', 7);
const set = { ids: Array.from({ length: count }, (_, i) => String(i)), labels: new Uint8Array(count), pixels: images.dataSync(), size: imageSize };
images.dispose();
const scorer = new DsuScorer();

/** Scores all images in batches of `batchSize`; returns the scores and the seconds taken. */
function scoreAll(batchSize) {
  const scores = new Float64Array(count);
  const started = performance.now();
  for (const [start, end] of batchRanges(count, batchSize)) {
    const batch = gatherBatch(set, range(start, end));
    const result = scorer.score(members, batch);
    scores.set(result.imageScores.dataSync(), start);
    tf.dispose([batch, result.imageScores]);
  }
  return { scores, seconds: (performance.now() - started) / 1000 };
}

console.log(`backend ${backend}; AE ${imageSize}×${imageSize}, width ${widthMultiplier}, K = 3; ${count} images; best of ${repeats}`);
scoreAll(32); // warm-up: kernel setup and first-call allocation are not scoring time

const results = {};
for (const batchSize of [1, 32]) {
  let best = Infinity;
  let scores;
  for (let r = 0; r < repeats; r++) {
    const run = scoreAll(batchSize);
    best = Math.min(best, run.seconds);
    scores = run.scores;
  }
  results[batchSize] = scores;
  console.log(`batch ${String(batchSize).padStart(2)}: ${(count / best).toFixed(2)} images/s (${best.toFixed(2)} s for ${count} images)`);
}

let worst = 0;
for (let i = 0; i < count; i++) worst = Math.max(worst, Math.abs(results[32][i] - results[1][i]) / Math.abs(results[1][i]));
console.log(`largest relative difference batch 32 vs 1: ${worst.toExponential(2)}`);

for (const member of members) member.dispose();
