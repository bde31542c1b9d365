import { createRequire } from 'node:module';

import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, activateBackend, installCommand, nativeAdvice, selectBackend, selfCheck } from '@d2ue/core';
import { describe, expect, expectTypeOf, it } from 'vitest';

/** Whether a package resolves from @d2ue/core, as the loader's import would. */
function installed(pkg: string): boolean {
  try {
    createRequire(new URL('../packages/core/package.json', import.meta.url)).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const HAS_NODE = installed('@tensorflow/tfjs-node');
const HAS_GPU = installed('@tensorflow/tfjs-node-gpu');

describe('selectBackend', () => {
  it.skipIf(HAS_GPU)('explains a missing gpu backend', async () => {
    const error = await selectBackend('gpu').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(D2ueError);
    expect((error as D2ueError).code).toBe('backend');
    expect((error as Error).message).toMatch(/not installed/);
    expect((error as Error).message).toContain('npm install @tensorflow/tfjs-node-gpu@4.22.0');
    expect((error as Error).message).toMatch(/CUDA 11\.2 and cuDNN 8\.1/);
  });

  it.skipIf(HAS_NODE)('explains a missing node backend', async () => {
    await expect(selectBackend('node')).rejects.toThrow(/needs @tensorflow\/tfjs-node, which is not installed.*"npm install @tensorflow\/tfjs-node@4\.22\.0"/);
  });

  it.skipIf(HAS_NODE || HAS_GPU)('auto picks wasm here', async () => {
    const previous = process.env.D2UE_BACKEND;
    delete process.env.D2UE_BACKEND;
    try {
      expect(await selectBackend('auto')).toBe('wasm');
      expect(tf.getBackend()).toBe('wasm');
    } finally {
      if (previous !== undefined) process.env.D2UE_BACKEND = previous;
    }
  });

  it('rejects an unknown D2UE_BACKEND', async () => {
    process.env.D2UE_BACKEND = 'tpu';
    try {
      await expect(selectBackend('auto')).rejects.toThrow(/D2UE_BACKEND: unknown backend "tpu"; use one of gpu, node, wasm, cpu or auto/);
    } finally {
      delete process.env.D2UE_BACKEND;
    }
    expectTypeOf(selectBackend).returns.resolves.toEqualTypeOf<'gpu' | 'node' | 'wasm' | 'cpu'>();
  });

  it('rejects an unknown argument', async () => {
    await expect(selectBackend('tpu' as 'cpu')).rejects.toThrow(/^backend: unknown backend "tpu"; use one of gpu, node, wasm, cpu or auto/);
  });
});

describe('nativeAdvice', () => {
  it('names a missing addon', () => {
    const message = nativeAdvice('node', new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x'));

    expect(message).toMatch(/installed without its native addon/);
    expect(message).toContain('"npm install @tensorflow/tfjs-node@4.22.0"');
    expect(message).toMatch(/--backend wasm/);
  });

  it('names a missing CUDA library', () => {
    const message = nativeAdvice('gpu', new Error('libcudart.so.11.0: cannot open shared object file'));

    expect(message).toMatch(/could not load a CUDA library \(libcudart\.so\.11\.0/);
    expect(message).toMatch(/CUDA 11\.2 and cuDNN 8\.1 on LD_LIBRARY_PATH/);
    expect(installCommand('gpu')).toBe('npm install @tensorflow/tfjs-node-gpu@4.22.0');
  });
});

describe('selfCheck', () => {
  it('passes on cpu and wasm', async () => {
    await activateBackend('cpu');
    expect(() => selfCheck('cpu')).not.toThrow();
    await activateBackend('wasm');
    expect(() => selfCheck('wasm')).not.toThrow();
  });

  it('fails stock wasm', async () => {
    // Stock tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter; remove d2ue's to get that state back.
    await activateBackend('wasm');
    const config = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm');
    tf.unregisterKernel(tf.Conv2DBackpropFilter, 'wasm');
    try {
      expect(() => selfCheck('wasm')).toThrow(/The wasm backend failed its self-check: a conv2d gradient threw .*Conv2DBackpropFilter/);
    } finally {
      tf.registerKernel(config);
    }
    expect(() => selfCheck('wasm')).not.toThrow();
  });

  it('catches wrong values', async () => {
    await activateBackend('cpu');
    const config = tf.getKernel(tf.Conv2DBackpropFilter, 'cpu');
    tf.unregisterKernel(tf.Conv2DBackpropFilter, 'cpu');
    tf.registerKernel({ ...config, kernelFunc: (args) => tf.getKernel(tf.Fill, 'cpu').kernelFunc({ ...args, inputs: {}, attrs: { shape: [2, 2, 1, 1], value: 1, dtype: 'float32' } }) });
    try {
      expect(() => selfCheck('cpu')).toThrow(/cpu backend failed its self-check: ∂loss\/∂w\[0\] is 1, expected 24/);
    } finally {
      tf.unregisterKernel(tf.Conv2DBackpropFilter, 'cpu');
      tf.registerKernel(config);
    }
  });

  it('leaks no tensors', async () => {
    await activateBackend('wasm');
    const before = tf.memory().numTensors;

    selfCheck('wasm');

    expect(tf.memory().numTensors).toBe(before);
  });
});
