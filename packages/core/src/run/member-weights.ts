import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';

import type { Backbone } from '../contracts/backbone.js';
import { D2ueError } from '../errors.js';
import { readSafetensors, writeSafetensors, type NamedArray } from '../io/safetensors.js';
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
  const arrays = new Map<string, NamedArray>();
  for (const [name, tensor] of state) arrays.set(name, { shape: tensor.shape, data: tensor.dataSync() as Float32Array });
  tf.dispose([...state.values()]);

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

  const { tensors } = readSafetensors(file);
  const weights = new Map<string, tf.Tensor>();
  for (const [name, array] of tensors) weights.set(name, tf.tensor(array.data, [...array.shape]));
  try {
    backbone.loadStateDict(weights);
  } finally {
    tf.dispose([...weights.values()]);
  }
}
