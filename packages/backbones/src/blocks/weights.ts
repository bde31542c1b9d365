import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, createRng, uniform } from '@d2ue/core';

/**
 * PyTorch's default initialisation for Conv2d, ConvTranspose2d and Linear (torch/nn/modules/{conv,linear}.py,
 * `reset_parameters`): weights Kaiming-uniform with a = √5, i.e. U(−1/√fan_in, 1/√fan_in), and biases
 * U(−1/√fan_in, 1/√fan_in). `fan_in` is PyTorch's: weight.size(1) × kernel area, so for ConvTranspose2d it is the
 * number of *output* channels × kernel area.
 */
export function pytorchUniform(shape: readonly number[], fanIn: number, seed: string, name: string): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  const count = shape.reduce((product, size) => product * size, 1);
  const values = uniform(count, -bound, bound, createRng(seed));
  return variableFrom(tf.tensor(values, [...shape], 'float32'), true, name);
}

/** Creates a variable filled with `value` (BatchNorm γ = 1, β = 0, running mean 0, running variance 1). */
export function filledVariable(shape: readonly number[], value: number, trainable: boolean, name: string): tf.Variable {
  return variableFrom(tf.fill([...shape], value, 'float32'), trainable, name);
}

/** Creates a variable with `initial`'s values and disposes `initial` (the variable keeps its own reference). */
function variableFrom(initial: tf.Tensor, trainable: boolean, name: string): tf.Variable {
  const variable = tf.variable(initial, trainable, uniqueName(name));
  initial.dispose();
  return variable;
}

/** Assigns the tensor `compute` returns to `variable` and frees it, so loading weights leaks nothing. */
export function assignFrom(variable: tf.Variable, compute: () => tf.Tensor): void {
  const value = tf.tidy(compute);
  variable.assign(value);
  value.dispose();
}

/**
 * Looks up `key` in a state dict and checks its shape and dtype (float32); the error names the key, the shape
 * expected and the one found, so a checkpoint of another width or image size is recognised at once.
 */
export function takeWeight(weights: ReadonlyMap<string, tf.Tensor>, key: string, shape: readonly number[]): tf.Tensor {
  const tensor = weights.get(key);
  if (tensor === undefined) {
    throw new D2ueError(
      'shape',
      `Weights lack "${key}" (expected shape ${JSON.stringify(shape)}); the checkpoint does not match this backbone's ` +
        'architecture, so check the backbone name and its options against the run that wrote it.',
      { subject: key },
    );
  }
  const same = tensor.shape.length === shape.length && tensor.shape.every((size, axis) => size === shape[axis]);
  if (!same) {
    throw new D2ueError(
      'shape',
      `Weight "${key}" has shape ${JSON.stringify(tensor.shape)}, expected ${JSON.stringify(shape)}; ` +
        'check widthMultiplier, latentSize and imageSize against the run that wrote it.',
      { subject: key },
    );
  }
  if (tensor.dtype !== 'float32') {
    throw new D2ueError(
      'shape',
      `Weight "${key}" has dtype ${tensor.dtype} (an integer tensor in the file), expected float32 of shape ${JSON.stringify(shape)}; ` +
        'convert it with tensor.float() before writing the safetensors file.',
      { subject: key },
    );
  }
  return tensor;
}

/**
 * Reads an integer counter such as BatchNorm's `num_batches_tracked`: a scalar ([] in PyTorch) of any numeric
 * dtype, since a conversion script may have cast it to float.
 */
export function readCounter(tensor: tf.Tensor, key: string): number {
  if (tensor.rank !== 0) {
    throw new D2ueError('shape', `Counter "${key}" has shape ${JSON.stringify(tensor.shape)}, expected [] (a scalar).`, { subject: key });
  }
  const value = tensor.dataSync()[0]!;
  if (!Number.isInteger(value) || value < 0) {
    throw new D2ueError('shape', `Counter "${key}" is ${value}, expected a non-negative integer.`, { subject: key });
  }
  return value;
}

// tfjs variable names are global; a counter keeps two learners of one process apart.
let counter = 0;
function uniqueName(name: string): string {
  counter += 1;
  return `${name}_${counter}`;
}
