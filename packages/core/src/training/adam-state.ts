import * as tf from '@tensorflow/tfjs-core';

import { D2ueError, describeValue } from '../errors.js';
import type { NamedArray } from '../io/safetensors.js';

/**
 * Adam's state as plain arrays, so that a checkpoint can store it. It has the step count and the first and second
 * moments of each trainable variable, in the learner's `trainableVariables()` order (the optimizer's order). It also
 * has the running powers β₁ᵗ⁺¹ and β₂ᵗ⁺¹ that the bias correction divides by.
 *
 * Array names: `adam.m.<i>`, `adam.v.<i>` (i zero-padded to 4 digits), `adam.acc_beta1`, `adam.acc_beta2`.
 */
export interface OptimizerSnapshot {
  /** Steps taken. */
  readonly iterations: number;
  readonly arrays: ReadonlyMap<string, NamedArray>;
}

// NOTE: tfjs's AdamOptimizer keeps β₁ᵗ and β₂ᵗ in private fields. Its setWeights() recomputes them as pow(β, t + 1),
// which differs in the last bits from the product it accumulates step by step, so a resumed run would drift from an
// uninterrupted one. The fields are read and written directly; a tfjs release that renames them fails loudly here.
interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

/** Returns the array name of moment `kind` of variable `index`, e.g. `adam.m.0003`. */
export function momentName(kind: 'm' | 'v', index: number): string {
  return `adam.${kind}.${String(index).padStart(4, '0')}`;
}

/**
 * Reads an Adam optimizer's state. The arrays alias the optimizer's buffers on some backends: encode or copy them
 * before the next step.
 */
export async function snapshotAdam(optimizer: tf.AdamOptimizer): Promise<OptimizerSnapshot> {
  const [iteration, ...moments] = await optimizer.getWeights();
  const iterations = (await iteration!.tensor.data())[0]!;
  iteration!.tensor.dispose();

  const arrays = new Map<string, NamedArray>();
  const count = moments.length / 2;
  moments.forEach(({ tensor }, i) => {
    const name = i < count ? momentName('m', i) : momentName('v', i - count);
    arrays.set(name, { shape: tensor.shape, data: tensor.dataSync() as Float32Array });
  });

  const { accBeta1, accBeta2 } = internals(optimizer);
  arrays.set('adam.acc_beta1', { shape: [], data: accBeta1.dataSync() as Float32Array });
  arrays.set('adam.acc_beta2', { shape: [], data: accBeta2.dataSync() as Float32Array });
  return { iterations, arrays };
}

/**
 * Loads a snapshot into a fresh Adam optimizer for `variables` (the learner's trainable variables, in order).
 * `source` names the checkpoint in errors.
 *
 * @throws D2ueError `run` when the snapshot's moments do not match the variables' count or shapes.
 */
export async function restoreAdam(
  optimizer: tf.AdamOptimizer,
  snapshot: OptimizerSnapshot,
  variables: readonly tf.Variable[],
  source: string,
): Promise<void> {
  if (snapshot.iterations === 0) return;

  const fail = (problem: string): never => {
    throw new D2ueError('run', `${source}: the Adam state ${problem}; the checkpoint belongs to another backbone or config. Start a new run.`, {
      subject: source,
    });
  };
  const take = (name: string, shape: readonly number[]): tf.Tensor => {
    const array = snapshot.arrays.get(name) ?? fail(`lacks "${name}"`);
    const same = array.shape.length === shape.length && array.shape.every((size, axis) => size === shape[axis]);
    if (!same) fail(`has "${name}" of shape ${describeValue(array.shape)}, expected ${describeValue(shape)}`);
    return tf.tensor(array.data, [...shape], 'float32');
  };

  const first = variables.map((variable, i) => ({ name: `${variable.name}/m`, tensor: take(momentName('m', i), variable.shape) }));
  const second = variables.map((variable, i) => ({ name: `${variable.name}/v`, tensor: take(momentName('v', i), variable.shape) }));
  const extra = snapshot.arrays.has(momentName('m', variables.length));
  if (extra) fail(`holds moments for more than the learner's ${variables.length} trainable variables`);
  const beta1 = take('adam.acc_beta1', []);
  const beta2 = take('adam.acc_beta2', []);
  const iteration = { name: 'iter', tensor: tf.scalar(snapshot.iterations, 'int32') };

  // setWeights turns each tensor into a variable that shares its buffer, so the inputs can be freed afterwards.
  try {
    await optimizer.setWeights([iteration, ...first, ...second]);
    const { accBeta1, accBeta2 } = internals(optimizer);
    accBeta1.assign(beta1);
    accBeta2.assign(beta2);
  } finally {
    tf.dispose([iteration.tensor, beta1, beta2, ...first.map((entry) => entry.tensor), ...second.map((entry) => entry.tensor)]);
  }
}

function internals(optimizer: tf.AdamOptimizer): Required<AdamInternals> {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamInternals;
  if (!(accBeta1 instanceof tf.Variable) || !(accBeta2 instanceof tf.Variable)) {
    throw new D2ueError(
      'backend',
      'tf.train.adam: this @tensorflow/tfjs-core no longer keeps accBeta1/accBeta2, which checkpoints save; use @tensorflow/tfjs-core 4.22.',
    );
  }
  return { accBeta1, accBeta2 };
}
