import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';

import type { Backbone } from '../contracts/backbone.js';
import { D2ueError } from '../errors.js';
import { readSafetensors, writeSafetensors, type SafetensorsContent, type SafetensorsEntry } from '../io/safetensors.js';
import { hashFile } from './hash.js';

/** Where member `index`'s final weights live, relative to the run folder. */
export function memberWeightsPath(index: number): string {
  return join('members', String(index), 'weights.safetensors');
}

/** Writes a learner's state dict as safetensors (PyTorch names and layouts) and returns the file's SHA-256. */
export function saveMemberWeights(runDir: string, index: number, backbone: Backbone): string {
  const file = join(runDir, memberWeightsPath(index));
  mkdirSync(join(runDir, 'members', String(index)), { recursive: true });

  const state = backbone.stateDict();
  let arrays: Map<string, SafetensorsEntry>;
  try {
    arrays = stateDictToSafetensors(state);
  } finally {
    tf.dispose([...state.values()]);
  }

  writeSafetensors(file, arrays, { format: 'pt', backbone: backbone.id, member: String(index) });
  return hashFile(file);
}

/** Loads weights into `backbone` after checking the file's SHA-256 against the manifest's. */
export function loadMemberWeights(runDir: string, relativePath: string, sha256: string, backbone: Backbone): void {
  const file = join(runDir, relativePath);
  const actual = hashFile(file);
  if (actual !== sha256) {
    throw new D2ueError(
      'run',
      `${file}: SHA-256 ${actual.slice(0, 12)}… differs from the manifest's ${sha256.slice(0, 12)}…; the weights changed after training. ` +
        'Retrain, or restore the original file.',
      { subject: file },
    );
  }

  const weights = stateDictFromSafetensors(readSafetensors(file), file);
  try {
    backbone.loadStateDict(weights);
  } finally {
    tf.dispose([...weights.values()]);
  }
}

/**
 * Converts a state dict to safetensors entries: float32 tensors become `F32`, int32 tensors (counters such as
 * BatchNorm's `num_batches_tracked`, which PyTorch stores as `torch.long`) become `I64`.
 *
 * @example
 * writeSafetensors('weights.safetensors', stateDictToSafetensors(backbone.stateDict()));
 * @throws D2ueError (`io`) for a tensor of another dtype.
 */
export function stateDictToSafetensors(state: ReadonlyMap<string, tf.Tensor>): Map<string, SafetensorsEntry> {
  const arrays = new Map<string, SafetensorsEntry>();
  for (const [name, tensor] of state) {
    if (tensor.dtype === 'int32') {
      const values = tensor.dataSync() as Int32Array;
      arrays.set(name, { dtype: 'I64', shape: tensor.shape, data: BigInt64Array.from(values, (value) => BigInt(value)) });
    } else if (tensor.dtype === 'float32') {
      arrays.set(name, { shape: tensor.shape, data: tensor.dataSync() as Float32Array });
    } else {
      throw new D2ueError('io', `State dict entry "${name}" has dtype ${tensor.dtype}; safetensors export takes float32 and int32 tensors.`, {
        subject: name,
      });
    }
  }
  return arrays;
}

/**
 * Converts safetensors content to a state dict: `F32` tensors become float32 tensors and `I64` tensors int32 tensors
 * (tfjs has no 64-bit integers). `file` only names the source in errors. The caller disposes the tensors.
 *
 * @example
 * const weights = stateDictFromSafetensors(readSafetensors(file), file);
 * @throws D2ueError (`io`) for an `I64` value outside the int32 range.
 */
export function stateDictFromSafetensors(content: SafetensorsContent, file: string): Map<string, tf.Tensor> {
  // Every value is checked before the first tensor exists, so a rejected file leaks nothing.
  const counters = new Map<string, Int32Array>();
  for (const [name, array] of content.int64) {
    const values = Int32Array.from(array.data, (value) => {
      if (value < -2_147_483_648n || value > 2_147_483_647n) {
        throw new D2ueError('io', `${file}: I64 tensor "${name}" is ${value}, outside the int32 range that d2ue stores.`, { subject: name });
      }
      return Number(value);
    });
    counters.set(name, values);
  }

  const weights = new Map<string, tf.Tensor>();
  for (const [name, values] of counters) weights.set(name, tf.tensor(values, [...content.int64.get(name)!.shape], 'int32'));
  for (const [name, array] of content.tensors) weights.set(name, tf.tensor(array.data, [...array.shape], 'float32'));
  return weights;
}
