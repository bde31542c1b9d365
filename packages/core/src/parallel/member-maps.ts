/**
 * Runs ensemble members in parallel worker threads at scoring time: each member over all images in its own
 * worker (members are independent once trained). Training stays sequential (junior i needs seniors 0..i−1).
 */
import * as tf from '@tensorflow/tfjs-core';

import type { Backbone } from '../contracts/backbone.js';
import type { MapFunction, MemberSpec, MemberTaskInput, MemberTaskOutput, StateEntry } from './member-task.js';
import { builtModuleUrl, type WorkerPool } from './pool.js';

/** One member's outputs as tensors, with the worker's tensor count after the task. */
export interface MemberOutputs {
  readonly outputs: Record<string, tf.Tensor>;
  readonly numTensors: number;
}

/**
 * Converts a member to what crosses to a worker: its backbone id, config and state dict as plain arrays.
 *
 * @example
 * const spec = memberSpec(members[0]);
 * @throws D2ueError (io) from tfjs when a weight has a dtype other than float32 or int32.
 */
export function memberSpec(member: Backbone): MemberSpec {
  const state = member.stateDict();
  try {
    const entries: StateEntry[] = [...state].map(([name, tensor]) => ({
      name,
      shape: tensor.shape,
      dtype: tensor.dtype === 'int32' ? 'int32' : 'float32',
      data: tensor.dataSync() as Float32Array | Int32Array,
    }));
    return { backbone: member.id, config: member.getConfig(), state: entries };
  } finally {
    tf.dispose([...state.values()]);
  }
}

/**
 * Runs each member over `images` in the pool's workers and returns its outputs (predictions by default, or the
 * named tensors of `map`), in member order. The caller disposes the returned tensors.
 *
 * @example
 * const maps = await mapMembersInWorkers(pool, members, images, { batchSize: 64,
 *   map: { module: '@d2ue/uncertainty', exportName: 'dualSpaceMap' } });
 * @throws D2ueError from a worker (its message names the member's backbone or the map function).
 */
export async function mapMembersInWorkers(
  pool: WorkerPool,
  members: readonly Backbone[],
  images: tf.Tensor4D,
  options: { batchSize: number; map?: MapFunction },
): Promise<MemberOutputs[]> {
  const pixels = (await images.data()) as Float32Array;
  const task = builtModuleUrl('member-task');
  const runs = members.map((member) => {
    const input: MemberTaskInput = {
      member: memberSpec(member),
      images: pixels,
      shape: images.shape,
      batchSize: options.batchSize,
      ...(options.map ? { map: options.map } : {}),
    };
    return pool.run<MemberTaskOutput>(task, 'runMemberTask', input);
  });

  const results = await Promise.all(runs);
  return results.map(({ result, numTensors }) => ({
    outputs: Object.fromEntries(Object.entries(result).map(([name, value]) => [name, tf.tensor(value.data, value.shape)])),
    numTensors,
  }));
}
