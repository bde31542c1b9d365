/**
 * The worker-side task that runs one ensemble member over a set of images, batch by batch, in inference mode.
 *
 * The member travels as its state dict (PyTorch names and layouts, {@link Backbone.stateDict}) with its backbone
 * id and config; the worker rebuilds it through the registered backbone plug-in and loads the weights, so the
 * results equal those of the member on the main thread (same weights, same kernels when the backend is the same).
 * What is computed per batch is either the member's predictions (reconstruction, and log-variance for AE-U) or a
 * function exported by a module, e.g. `dualSpaceMap` of @d2ue/uncertainty, which returns named [B, …] tensors.
 */
import * as tf from '@tensorflow/tfjs-core';

import { resolveDescriptor } from '../container.js';
import type { Backbone } from '../contracts/backbone.js';
import { D2ueError } from '../errors.js';
import type { WorkerContext } from './worker.js';

/** One state-dict entry as plain arrays. */
export interface StateEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32';
  readonly data: Float32Array | Int32Array;
}

/** A member as it crosses to a worker. */
export interface MemberSpec {
  /** The backbone plug-in id, e.g. `AE`. */
  readonly backbone: string;

  /** The options the backbone was built with ({@link Backbone.getConfig}). */
  readonly config: Record<string, unknown>;
  readonly state: readonly StateEntry[];
}

/** A function run per batch: (member, batch [B, H, W, 1]) → named tensors with B leading. */
export interface MapFunction {
  readonly module: string;
  readonly exportName: string;
}

/** Input of {@link runMemberTask}. */
export interface MemberTaskInput {
  readonly member: MemberSpec;

  /** Images [N, H, W, 1], row-major. */
  readonly images: Float32Array;
  readonly shape: [number, number, number, number];
  readonly batchSize: number;

  /** Default: the member's predictions (`reconstruction`, `logVariance`). */
  readonly map?: MapFunction;
}

/** Named outputs, each [N, …] over all images. */
export type MemberTaskOutput = Record<string, { shape: number[]; data: Float32Array }>;

type BatchFunction = (member: Backbone, batch: tf.Tensor4D) => Record<string, tf.Tensor | undefined>;

/** Computes the member's predictions in inference mode. */
const predictions: BatchFunction = (member, batch) => {
  const output = member.apply(batch, { training: false });
  return { reconstruction: output.reconstruction, logVariance: output.logVariance };
};

/**
 * Rebuilds the member, runs it over the images in batches and returns the concatenated outputs. Runs in a worker
 * (see pool.ts); exported for the pool to call by name.
 *
 * @example
 * await pool.run(builtModuleUrl('member-task'), 'runMemberTask', input);
 * @throws D2ueError (plugin) when the backbone is not registered in the worker.
 * @throws D2ueError (run) when the map function is missing or returns a tensor whose first axis is not the batch.
 */
export async function runMemberTask(input: MemberTaskInput, context: WorkerContext): Promise<MemberTaskOutput> {
  const descriptor = resolveDescriptor(context.container, 'backbone', input.member.backbone, 'backbone.name');
  const member = descriptor.create(input.member.config as never, { seed: 'worker-rebuild' });
  const fn = input.map ? await importMap(input.map) : predictions;
  const [count, height, width, channels] = input.shape;
  const pixels = height * width * channels;
  const outputs: MemberTaskOutput = {};

  try {
    const weights = new Map(input.member.state.map((entry) => [entry.name, tf.tensor(entry.data, entry.shape, entry.dtype)] as const));
    try {
      member.loadStateDict(weights);
    } finally {
      tf.dispose([...weights.values()]);
    }

    for (let start = 0; start < count; start += input.batchSize) {
      const size = Math.min(input.batchSize, count - start);
      const parts = tf.tidy(() => {
        const batch = tf.tensor4d(input.images.subarray(start * pixels, (start + size) * pixels), [size, height, width, channels]);
        const named = fn(member, batch);
        return Object.entries(named).filter((entry): entry is [string, tf.Tensor] => entry[1] instanceof tf.Tensor);
      });
      try {
        for (const [name, tensor] of parts) {
          if (tensor.shape[0] !== size) {
            throw new D2ueError('run', `worker task: output "${name}" has shape [${tensor.shape.join(', ')}]; expected the batch (${size}) first.`, {
              subject: name,
            });
          }
          const perImage = tensor.size / size;
          const out = (outputs[name] ??= { shape: [count, ...tensor.shape.slice(1)], data: new Float32Array(count * perImage) });
          out.data.set(tensor.dataSync() as Float32Array, start * perImage);
        }
      } finally {
        tf.dispose(parts.map((entry) => entry[1]));
      }
    }
  } finally {
    member.dispose();
  }
  return outputs;
}

async function importMap(map: MapFunction): Promise<BatchFunction> {
  const module = (await import(map.module)) as Record<string, unknown>;
  const fn = module[map.exportName];
  if (typeof fn !== 'function') {
    throw new D2ueError('run', `worker task: "${map.module}" exports no function "${map.exportName}".`, { subject: map.exportName });
  }
  return fn as BatchFunction;
}
