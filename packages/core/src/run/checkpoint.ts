import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { writeFileAtomic } from '../io/atomic.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsEntry } from '../io/safetensors.js';
import { snapshotAdam } from '../training/adam-state.js';
import type { LiveCheckpoint, ResumePoint } from '../training/progress.js';
import { hashBytes } from './hash.js';
import { stateDictFromSafetensors, stateDictToSafetensors } from './member-weights.js';

/** The checkpoint's description; written last, so it only ever names a complete tensor file. */
export const CHECKPOINT_FILE = 'checkpoint.json';

/** The checkpoint's tensors: `model.<state-dict name>` and Adam's `adam.*` arrays. */
export const CHECKPOINT_TENSORS = 'checkpoint.safetensors';

const SumsSchema = z.strictObject({ total: z.number(), backbone: z.number(), repulsion: z.number(), seconds: z.number() });

const EpochRecordSchema = z.strictObject({
  member: z.int(),
  epoch: z.int(),
  steps: z.int(),
  loss: z.number(),
  backboneLoss: z.number(),
  repulsion: z.number(),
  seconds: z.number(),
});

/** `members/<i>/checkpoint.json`. */
export const CheckpointSchema = z.strictObject({
  format: z.literal('d2ue-checkpoint/1'),
  member: z.int().min(0),

  // Completed epochs, and completed steps of the epoch in progress (non-zero only after a stop mid-epoch).
  epoch: z.int().min(0),
  step: z.int().min(0),

  // The tensor file, relative to the member folder, and the SHA-256 of its bytes.
  tensors: z.string(),
  sha256: z.string().length(64),
  optimizer: z.strictObject({ name: z.literal('adam'), iterations: z.int().min(0) }),

  // seedrandom's ARC4 state before the order of epoch `epoch` was drawn.
  shuffleState: z.strictObject({ i: z.int(), j: z.int(), S: z.array(z.int()).length(256) }),
  partial: SumsSchema,
  metrics: z.array(EpochRecordSchema),
  savedAt: z.string(),
});

/** A member's resumable checkpoint file, as {@link CheckpointSchema} reads it. */
export type CheckpointFile = z.infer<typeof CheckpointSchema>;

/** Returns the folder of member `index` inside a run folder. */
export function memberDir(runDir: string, index: number): string {
  return join(runDir, 'members', String(index));
}

/**
 * Saves a learner's checkpoint: the tensor file first, then `checkpoint.json` with its SHA-256, each written
 * atomically (temporary file, fsync, rename). A kill between the two leaves a pair whose hashes disagree, which
 * {@link readCheckpoint} reports instead of loading. Overwrites the previous checkpoint, so only the latest is kept.
 */
export async function saveCheckpoint(runDir: string, { progress, junior, optimizer }: LiveCheckpoint): Promise<void> {
  const dir = memberDir(runDir, progress.member);
  mkdirSync(dir, { recursive: true });

  const arrays = new Map<string, SafetensorsEntry>();
  const state = junior.stateDict();
  try {
    for (const [name, entry] of stateDictToSafetensors(state)) arrays.set(`model.${name}`, entry);
    const adam = await snapshotAdam(optimizer);
    for (const [name, array] of adam.arrays) arrays.set(name, array);

    const bytes = encodeSafetensors(arrays, {
      format: 'd2ue-checkpoint',
      backbone: junior.id,
      member: String(progress.member),
      epoch: String(progress.epoch),
      step: String(progress.step),
    });
    writeFileAtomic(join(dir, CHECKPOINT_TENSORS), bytes);

    const description: CheckpointFile = {
      format: 'd2ue-checkpoint/1',
      member: progress.member,
      epoch: progress.epoch,
      step: progress.step,
      tensors: CHECKPOINT_TENSORS,
      sha256: hashBytes(bytes),
      optimizer: { name: 'adam', iterations: adam.iterations },
      shuffleState: progress.shuffleState,
      partial: progress.partial,
      metrics: [...progress.metrics],
      savedAt: new Date().toISOString(),
    };
    writeFileAtomic(join(dir, CHECKPOINT_FILE), `${JSON.stringify(description)}\n`);
  } finally {
    tf.dispose([...state.values()]);
  }
}

/** The result of {@link readCheckpoint}. */
export type CheckpointLookup =
  | { readonly status: 'none' }
  | { readonly status: 'unusable'; readonly problem: string }
  | { readonly status: 'ok'; readonly file: string; readonly point: ResumePoint };

/**
 * Loads member `index`'s checkpoint. `none` when it has none; `unusable` (with the reason) when the description is
 * unreadable or its tensor file is missing or has another SHA-256, e.g. after a kill between the two writes.
 * On `ok` the caller owns (and disposes) `point.weights`.
 */
export function readCheckpoint(runDir: string, index: number): CheckpointLookup {
  const file = join(memberDir(runDir, index), CHECKPOINT_FILE);
  if (!existsSync(file)) return { status: 'none' };

  let description: CheckpointFile;
  try {
    const parsed = CheckpointSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { status: 'unusable', problem: `${file}: field "${issue.path.join('.')}": ${issue.message}` };
    }
    description = parsed.data;
  } catch (error) {
    return { status: 'unusable', problem: `${file}: not valid JSON (${(error as Error).message})` };
  }
  if (description.member !== index) {
    return { status: 'unusable', problem: `${file} describes member ${description.member}, not ${index}` };
  }

  const tensorsFile = join(memberDir(runDir, index), description.tensors);
  if (!existsSync(tensorsFile)) return { status: 'unusable', problem: `${tensorsFile} is missing` };
  const bytes = readFileSync(tensorsFile);
  if (hashBytes(bytes) !== description.sha256) {
    return { status: 'unusable', problem: `${tensorsFile} does not have the SHA-256 that ${file} records (the save was interrupted)` };
  }

  // `model.*` is the learner's state dict (F32 weights, I64 counters), `adam.*` the optimizer's F32 arrays.
  const content = decodeSafetensors(bytes, tensorsFile);
  const optimizer = new Map([...content.tensors].filter(([name]) => name.startsWith('adam.')));
  const weights = stateDictFromSafetensors(
    { tensors: withoutPrefix(content.tensors, 'model.'), int64: withoutPrefix(content.int64, 'model.'), metadata: content.metadata },
    tensorsFile,
  );

  const { member, epoch, step, shuffleState, partial, metrics } = description;
  return {
    status: 'ok',
    file,
    point: {
      progress: { member, epoch, step, shuffleState, partial, metrics },
      weights,
      optimizer: { iterations: description.optimizer.iterations, arrays: optimizer },
    },
  };
}

/** Selects the entries of `map` whose name starts with `prefix` and strips the prefix. */
function withoutPrefix<T>(map: ReadonlyMap<string, T>, prefix: string): Map<string, T> {
  return new Map([...map].filter(([name]) => name.startsWith(prefix)).map(([name, value]) => [name.slice(prefix.length), value]));
}
