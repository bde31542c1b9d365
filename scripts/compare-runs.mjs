#!/usr/bin/env node
/**
 * Compares two evaluated run folders, for example the same config trained on `cpu` and on `wasm`: the members'
 * epoch losses (metrics.jsonl), their weights (weights.safetensors) and the per-image scores (scores/*.k<K>.json).
 * Differences are relative to the reference run: |other − reference| / |reference|.
 *
 * Usage: node scripts/compare-runs.mjs REFERENCE_RUN OTHER_RUN [--k 3] [--tensors 3]
 * Both runs must have been evaluated (`d2ue evaluate --run DIR`) with the same ensemble size K. To compare the
 * scoring alone, copy a run folder, evaluate the copy on another backend, and compare the two: the losses and
 * weights then match exactly.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: { k: { type: 'string', default: '3' }, tensors: { type: 'string', default: '3' } },
});
if (positionals.length !== 2) {
  console.error('Usage: node scripts/compare-runs.mjs REFERENCE_RUN OTHER_RUN [--k 3] [--tensors 3]');
  process.exit(2);
}
const [reference, other] = positionals;
for (const run of [reference, other]) {
  if (!existsSync(path.join(run, 'manifest.json'))) {
    console.error(`${run}: not a run folder (no manifest.json); pass folders written by d2ue train.`);
    process.exit(2);
  }
}

const relative = (got, want) => (want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want));
const format = (x) => x.toExponential(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Reads the float32 tensors of a safetensors file (8-byte header length, JSON header, raw little-endian data). */
function readSafetensors(file) {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  const tensors = new Map();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__' || entry.dtype !== 'F32') continue;
    const [start, end] = entry.data_offsets;
    const data = bytes.subarray(8 + headerLength + start, 8 + headerLength + end);
    tensors.set(name, new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
  }
  return tensors;
}

const members = readdirSync(path.join(reference, 'members')).filter((d) => /^\d+$/.test(d)).sort((a, b) => a - b);
console.log(`reference ${reference}, other ${other}\n\nepoch losses, relative difference`);
for (const member of members) {
  const lines = (run) =>
    readFileSync(path.join(run, 'members', member, 'metrics.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
  const theirs = lines(other);
  for (const mine of lines(reference)) {
    const match = theirs.find((t) => t.epoch === mine.epoch);
    if (match === undefined) continue;
    const cells = ['loss', 'backboneLoss', 'repulsion'].map((key) => `${key} ${format(relative(match[key], mine[key]))}`);
    console.log(`  member ${member} epoch ${mine.epoch + 1}: ${cells.join(', ')}`);
  }
}

console.log(`\nweights: the ${opts.tensors} tensors per member with the largest max|difference| / max|reference|`);
for (const member of members) {
  const mine = readSafetensors(path.join(reference, 'members', member, 'weights.safetensors'));
  const theirs = readSafetensors(path.join(other, 'members', member, 'weights.safetensors'));
  const rows = [...mine].map(([name, want]) => {
    const got = theirs.get(name);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < want.length; i++) {
      diff = Math.max(diff, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    return [diff / Math.max(scale, 1e-30), name];
  });
  rows.sort((a, b) => b[0] - a[0]);
  console.log(`  member ${member}: ${rows.slice(0, Number(opts.tensors)).map(([r, n]) => `${n} ${format(r)}`).join(', ')}`);
}

console.log('\nscores per image, relative difference');
const scoresFolder = path.join(reference, 'scores');
for (const file of readdirSync(scoresFolder).filter((f) => f.endsWith(`.k${opts.k}.json`)).sort()) {
  const mine = JSON.parse(readFileSync(path.join(scoresFolder, file), 'utf8'));
  const otherFile = path.join(other, 'scores', file);
  if (mine.status !== 'ok' || !existsSync(otherFile)) continue;
  const theirs = JSON.parse(readFileSync(otherFile, 'utf8'));
  const byId = new Map(theirs.scores.map((s) => [s.id, s.score]));
  const diffs = mine.scores.filter((s) => byId.has(s.id)).map((s) => relative(byId.get(s.id), s.score));
  console.log(
    `  ${mine.scorer.padEnd(16)} ${diffs.length} images: max ${format(Math.max(...diffs))}, median ${format(median(diffs))}; ` +
      `AUROC ${mine.auroc.toFixed(3)} (reference) against ${theirs.auroc.toFixed(3)}`,
  );
}
