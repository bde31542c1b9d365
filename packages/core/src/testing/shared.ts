import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';

import { createContainer, listDescriptors, resolveDescriptor, type RegisterPlugins } from '../container.js';
import type { PluginMeta } from '../plugin.js';
import { createRng, uniform } from '../random.js';
import type { PluginKind } from '../tokens.js';
import { ConformanceError, type ConformanceRule, underRule } from './conformance-error.js';

/** Formats a plug-in's name for messages, e.g. `backbone "AE"`. */
export function pluginLabel(plugin: { readonly kind: string; readonly id: string }): string {
  return `${plugin.kind} "${plugin.id}"`;
}

/** A key no plug-in has; a strict options schema must reject it. */
export const UNKNOWN_OPTION = 'conformanceUnknownOption';

/**
 * Rule `options schema`: the descriptor exports a zod schema that accepts `options`, rejects an unknown key (so a
 * misspelt option in a config is an error, not silently ignored) and converts to JSON Schema (for `d2ue schema`).
 * Returns the parsed options.
 *
 * @example
 * const options = checkOptionsSchema(aeBackbone, { imageSize: 32 });
 * @throws ConformanceError naming the rule when any of the three fails.
 */
export function checkOptionsSchema<S extends z.ZodType>(plugin: PluginMeta<PluginKind, S>, options: Record<string, unknown> = {}): z.output<S> {
  const rule: ConformanceRule = 'options schema';
  const label = pluginLabel(plugin);

  if (!(plugin.options instanceof z.ZodType)) {
    throw new ConformanceError(rule, label, 'the descriptor has no zod schema in "options"; export one (z.strictObject({...})).');
  }

  const parsed = plugin.options.safeParse(options);
  if (!parsed.success) {
    throw new ConformanceError(rule, label, `the schema rejects the options ${JSON.stringify(options)}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}.`);
  }

  if (plugin.options.safeParse({ ...options, [UNKNOWN_OPTION]: 1 }).success) {
    throw new ConformanceError(rule, label, `the schema accepts the unknown key "${UNKNOWN_OPTION}"; use z.strictObject so misspelt options are errors.`);
  }

  underRule(rule, label, () => z.toJSONSchema(plugin.options, { io: 'input' }));
  return parsed.data;
}

/**
 * Rule `registration under its token`: `register` adds a descriptor of `kind` with `id` to a fresh container, where
 * the host finds it by its token (`<kind>:<id>`) and lists it. Returns the registered descriptor.
 *
 * @example
 * checkRegistered(register, 'backbone', 'tiny-ae');
 * @throws ConformanceError naming the rule when the token is missing or resolves to another plug-in.
 */
export function checkRegistered(register: RegisterPlugins, kind: PluginKind, id: string): PluginMeta<PluginKind, z.ZodType> {
  const rule: ConformanceRule = 'registration under its token';
  const label = `${kind} "${id}"`;

  const container = createContainer();
  underRule(rule, label, () => register(container));
  const descriptor = underRule(rule, label, () => resolveDescriptor(container, kind, id));

  if (descriptor.kind !== kind || descriptor.id !== id) {
    throw new ConformanceError(rule, label, `the token ${kind}:${id} resolves to a descriptor with kind "${descriptor.kind}" and id "${descriptor.id}".`);
  }
  if (!listDescriptors(container, kind).includes(descriptor)) {
    throw new ConformanceError(rule, label, 'the descriptor is not listed; register it with registerDescriptors, not container.register.');
  }
  return descriptor;
}

/**
 * Runs `body` and compares the number of live tensors before and after it; a difference breaks rule `no tensor leaks`.
 *
 * @throws ConformanceError naming the rule and the step that leaked.
 */
export function expectNoLeak<T>(label: string, step: string, body: () => T): T {
  const before = tf.memory().numTensors;
  const result = underRule('no tensor leaks', label, body);
  const after = tf.memory().numTensors;
  if (after !== before) {
    throw new ConformanceError('no tensor leaks', label, `${step} changed the number of live tensors from ${before} to ${after}; wrap the work in tf.tidy or dispose what you create.`);
  }
  return result;
}

/**
 * Throws for `rule` unless every value of `tensor` is finite.
 *
 * @throws ConformanceError naming the rule, the tensor and the first bad value.
 */
export function expectFinite(rule: ConformanceRule, label: string, what: string, tensor: tf.Tensor): void {
  const values = tensor.dataSync();
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ConformanceError(rule, label, `${what} contains ${values[i]} at flat index ${i}; guard divisions and logarithms with an epsilon.`);
    }
  }
}

/**
 * Throws for `rule` unless `tensor` has `shape` (-1 matches any size) and dtype float32.
 *
 * @throws ConformanceError naming the rule, the tensor, and the shape and dtype found.
 */
export function expectShape(rule: ConformanceRule, label: string, what: string, tensor: tf.Tensor | undefined, shape: readonly number[]): void {
  if (tensor === undefined) throw new ConformanceError(rule, label, `${what} is missing.`);

  const same = tensor.shape.length === shape.length && shape.every((size, axis) => size === -1 || size === tensor.shape[axis]);
  if (!same) {
    throw new ConformanceError(rule, label, `${what} has shape ${JSON.stringify(tensor.shape)}, expected ${JSON.stringify(shape)} (-1: any size).`);
  }
  if (tensor.dtype !== 'float32') {
    throw new ConformanceError(rule, label, `${what} has dtype ${tensor.dtype}, expected float32.`);
  }
}

/** Returns the largest absolute difference between two tensors of one shape. */
export function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  const left = a.dataSync();
  const right = b.dataSync();
  let largest = 0;
  for (let i = 0; i < left.length; i++) largest = Math.max(largest, Math.abs(left[i]! - right[i]!));
  return largest;
}

/**
 * Throws for `rule` unless `a` and `b` have one shape and differ by at most `tolerance` anywhere.
 *
 * @throws ConformanceError naming the rule, the tensor and the largest difference.
 */
export function expectClose(rule: ConformanceRule, label: string, what: string, a: tf.Tensor | undefined, b: tf.Tensor | undefined, tolerance: number): void {
  if (a === undefined || b === undefined) {
    if (a !== b) throw new ConformanceError(rule, label, `${what} is present in one result and missing in the other.`);
    return;
  }
  if (JSON.stringify(a.shape) !== JSON.stringify(b.shape)) {
    throw new ConformanceError(rule, label, `${what} has shape ${JSON.stringify(a.shape)} once and ${JSON.stringify(b.shape)} the other time.`);
  }
  const difference = maxAbsDifference(a, b);
  if (!(difference <= tolerance)) {
    throw new ConformanceError(rule, label, `${what} differs by up to ${difference} (tolerance ${tolerance}).`);
  }
}

/** Pixel values in [-1, 1] drawn from `seed`: `count` values, reproducible. */
export function seededValues(count: number, seed: string): Float32Array {
  return uniform(count, -1, 1, createRng(seed));
}

/** Makes a reproducible batch of random images in [-1, 1], shape [batch, size, size, 1]. */
export function randomImages(batch: number, size: number, seed: string): tf.Tensor4D {
  return tf.tensor4d(seededValues(batch * size * size, seed), [batch, size, size, 1]);
}

/**
 * The edge inputs a plug-in must stay finite on, as [rows, columns] matrices (the kit reshapes them to images or
 * feature matrices): all zeros, a constant, all +1, all −1, alternating ±1, and a batch of identical rows.
 */
export function edgeMatrices(rows: number, columns: number, seed: string): Map<string, Float32Array> {
  const cases = new Map<string, Float32Array>();
  const total = rows * columns;

  cases.set('zeros', new Float32Array(total));
  cases.set('constant 0.5', new Float32Array(total).fill(0.5));
  cases.set('all +1', new Float32Array(total).fill(1));
  cases.set('all −1', new Float32Array(total).fill(-1));
  cases.set('±1 alternating', Float32Array.from({ length: total }, (_, i) => ((Math.floor(i / columns) + i) % 2 === 0 ? 1 : -1)));

  const row = seededValues(columns, `${seed}/identical-rows`);
  const identical = new Float32Array(total);
  for (let r = 0; r < rows; r++) identical.set(row, r * columns);
  cases.set('identical rows', identical);
  return cases;
}

/** Disposes every tensor of a backbone output-like object (tensors, maps and arrays of tensors). */
export function disposeAll(value: unknown): void {
  if (value instanceof tf.Tensor) value.dispose();
  else if (value instanceof Map) for (const entry of value.values()) disposeAll(entry);
  else if (Array.isArray(value)) for (const entry of value) disposeAll(entry);
  else if (value !== null && typeof value === 'object') for (const entry of Object.values(value)) disposeAll(entry);
}
