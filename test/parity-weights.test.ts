import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { Ae, AeOptionsSchema, AeU, AeUOptionsSchema, MemAe, MemAeOptionsSchema } from '@d2ue/backbones';
import {
  encodeSafetensors,
  readSafetensors,
  selectBackend,
  stateDictFromSafetensors,
  stateDictToSafetensors,
  writeSafetensors,
  type Backbone,
  type NamedArray,
  type SafetensorsEntry,
} from '@d2ue/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { scratchDir } from './helpers/tiny.js';

/**
 * Weight interchange with PyTorch. d2ue-trained learners are written as safetensors the way a run folder stores them.
 * Each file must carry exactly the names, shapes and dtypes of the state dicts that PyTorch itself wrote (the
 * fixtures), so that `load_state_dict(strict=True)` accepts it. fixtures/parity/check_export.py then loads the
 * files in PyTorch and compares the outputs; it needs python3-torch, so CI does not run it. To run it:
 *
 *   D2UE_EXPORT_DIR=/tmp/d2ue-export npx vitest run test/parity-weights.test.ts
 *   /usr/bin/python3 fixtures/parity/check_export.py /tmp/d2ue-export
 */

const folder = fileURLToPath(new URL('../fixtures/parity/', import.meta.url));
const tinyProfile = { imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64, latentSize: 16 };
const TRAIN_STEPS = 2;

const backbones = [
  { id: 'AE', fixture: 'member0.safetensors', create: (seed: string) => new Ae(AeOptionsSchema.parse(tinyProfile), seed) },
  { id: 'MemAE', fixture: 'memae/member0.safetensors', create: (seed: string) => new MemAe(MemAeOptionsSchema.parse(tinyProfile), seed) },
  { id: 'AE-U', fixture: 'aeu/member0.safetensors', create: (seed: string) => new AeU(AeUOptionsSchema.parse(tinyProfile), seed) },
] as const;

let x: tf.Tensor4D;
let exportDir: string;

beforeAll(async () => {
  await selectBackend('cpu');
  x = stateDictFromSafetensors(readSafetensors(`${folder}input.safetensors`), 'input.safetensors').get('x') as tf.Tensor4D;
  exportDir = process.env.D2UE_EXPORT_DIR ?? scratchDir('export');
  mkdirSync(exportDir, { recursive: true });
});

afterAll(() => {
  x.dispose();
});

/** Builds a fresh learner and trains it for a few Adam steps on x, so its weights and counters come from d2ue. */
function trained(create: (seed: string) => Backbone, seed: string): Backbone {
  const backbone = create(seed);
  const optimizer = tf.train.adam(5e-4, 0.5, 0.999, 1e-8);
  for (let step = 0; step < TRAIN_STEPS; step++) {
    tf.tidy(() => {
      optimizer.minimize(() => backbone.loss(x, backbone.apply(x, { training: true })), false, backbone.trainableVariables());
    });
  }
  optimizer.dispose();
  return backbone;
}

/** Collects the eval-mode outputs that check_export.py compares: x, reconstruction, z and logVariance or attention. */
function outputs(backbone: Backbone): Map<string, NamedArray> {
  const arrays = new Map<string, NamedArray>();
  tf.tidy(() => {
    const out = backbone.apply(x, { training: false, taps: [4] });
    const add = (key: string, tensor: tf.Tensor | undefined): void => {
      if (tensor) arrays.set(key, { shape: tensor.shape, data: tensor.dataSync() as Float32Array });
    };
    add('x', x);
    add('reconstruction', out.reconstruction);
    add('z', out.features.get(4));
    add('logVariance', out.logVariance);
    add('attention', out.attention);
  });
  return arrays;
}

describe('weight export to PyTorch', () => {
  for (const { id, fixture, create } of backbones) {
    it(`writes ${id} as PyTorch does`, () => {
      const backbone = trained(create, `export-${id}`);
      const state = backbone.stateDict();
      const file = join(exportDir, `${id}.safetensors`);
      writeSafetensors(file, stateDictToSafetensors(state), { format: 'pt', backbone: id, options: JSON.stringify(backbone.getConfig()) });
      writeSafetensors(join(exportDir, `${id}.outputs.safetensors`), outputs(backbone), { layout: 'NHWC' });
      tf.dispose([...state.values()]);

      const ours = readSafetensors(file);
      const torch = readSafetensors(`${folder}${fixture}`);
      const layout = (content: typeof ours): string[] => [
        ...[...content.tensors].map(([key, array]) => `${key} F32 ${JSON.stringify(array.shape)}`),
        ...[...content.int64].map(([key, array]) => `${key} I64 ${JSON.stringify(array.shape)}`),
      ].sort();
      expect(layout(ours)).toEqual(layout(torch));
      for (const [key, counter] of ours.int64) expect(Array.from(counter.data), key).toEqual([BigInt(TRAIN_STEPS)]);

      const reloaded = create(`reload-${id}`);
      const weights = stateDictFromSafetensors(ours, file);
      reloaded.loadStateDict(weights);
      tf.tidy(() => {
        const a = backbone.apply(x, { training: false }).reconstruction;
        const b = reloaded.apply(x, { training: false }).reconstruction;
        expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
      });
      tf.dispose([...weights.values()]);
      backbone.dispose();
      reloaded.dispose();
    });
  }
});

describe('weight file errors', () => {
  const source = `${folder}memae/member0.safetensors`;
  const memory = 'bottle_neck.memory_module.memory.weight';

  /** Loads `content` into a tiny MemAE (25 slots × 16) and returns what it throws. */
  const loadInto = (bytes: Uint8Array, name = 'weights.safetensors'): void => {
    const dir = scratchDir('weights');
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const weights = stateDictFromSafetensors(readSafetensors(file), file);
    const backbone = new MemAe(MemAeOptionsSchema.parse(tinyProfile), 'errors');
    try {
      backbone.loadStateDict(weights);
    } finally {
      tf.dispose([...weights.values()]);
      backbone.dispose();
    }
  };

  /** Applies `edit` to the fixture's entries and re-encodes them. */
  const edited = (edit: (content: ReturnType<typeof readSafetensors>) => void): Uint8Array => {
    const content = readSafetensors(source);
    edit(content);
    return encodeSafetensors(new Map<string, SafetensorsEntry>([...content.tensors, ...content.int64]));
  };

  it('accepts the unmodified file', () => {
    expect(() => loadInto(readFileSync(source))).not.toThrow();
  });

  it('names a wrong shape', () => {
    const bytes = edited((content) => content.tensors.set(memory, { shape: [24, 16], data: new Float32Array(24 * 16) }));
    expect(() => loadInto(bytes)).toThrow(/Weight "bottle_neck\.memory_module\.memory\.weight" has shape \[24,16\], expected \[25,16\]/);
  });

  it('names a missing tensor', () => {
    const bytes = edited((content) => content.tensors.delete(memory));
    expect(() => loadInto(bytes)).toThrow(/Weights lack "bottle_neck\.memory_module\.memory\.weight" \(expected shape \[25,16\]\)/);
  });

  it('names an unexpected tensor', () => {
    const bytes = edited((content) => content.tensors.set('bottle_neck.extra.weight', { shape: [1], data: new Float32Array(1) }));
    expect(() => loadInto(bytes)).toThrow(/Weights contain "bottle_neck\.extra\.weight", which MemAE does not have/);
  });

  it('names an integer weight', () => {
    const bytes = edited((content) => {
      content.tensors.delete(memory);
      content.int64.set(memory, { dtype: 'I64', shape: [25, 16], data: new BigInt64Array(25 * 16) });
    });
    expect(() => loadInto(bytes)).toThrow(/Weight "bottle_neck\.memory_module\.memory\.weight" has dtype int32 .*expected float32 of shape \[25,16\]/);
  });

  it('names an unsupported dtype', () => {
    // Rewrite the header so the memory is declared F64 with its bytes doubled: a float64 checkpoint.
    const header = JSON.stringify({ [memory]: { dtype: 'F64', shape: [25, 16], data_offsets: [0, 25 * 16 * 8] } });
    const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
    const bytes = Buffer.alloc(8 + padded.length + 25 * 16 * 8);
    bytes.writeBigUInt64LE(BigInt(padded.length), 0);
    bytes.write(padded, 8);
    expect(() => loadInto(bytes, 'f64.safetensors')).toThrow(
      /f64\.safetensors: not a valid safetensors file: tensor "bottle_neck\.memory_module\.memory\.weight" of shape \[25,16\] has dtype "F64"/,
    );
  });

  it('names the tensor a truncation cuts', () => {
    // PyTorch writes the state dict in module order, so the output layer's weight is the last in the file.
    const bytes = readFileSync(source);
    expect(() => loadInto(bytes.subarray(0, bytes.length - 4), 'cut.safetensors')).toThrow(
      /cut\.safetensors: not a valid safetensors file: tensor "de_block4\.model\.0\.weight" of shape \[4,1,4,4\] has data_offsets \[\d+,\d+\] outside the \d+-byte data section \(a truncated file\?\)/,
    );
  });

  it('names a truncated header', () => {
    const bytes = readFileSync(source).subarray(0, 100);
    expect(() => loadInto(bytes, 'head.safetensors')).toThrow(/head\.safetensors: not a valid safetensors file: header length \d+ runs past the end of the file/);
  });
});
