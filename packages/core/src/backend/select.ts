import * as tf from '@tensorflow/tfjs-core';

import type { BackendName } from '../config/schema.js';
import { D2ueError } from '../errors.js';

/** The concrete backends `auto` tries, fastest first. */
export const AUTO_ORDER = ['gpu', 'node', 'wasm', 'cpu'] as const;

/** A backend d2ue can run on (everything but `auto`). */
export type ConcreteBackend = (typeof AUTO_ORDER)[number];

/**
 * Makes `name` the active tfjs backend and returns the concrete backend chosen. `auto` (or the `D2UE_BACKEND`
 * environment variable, when `name` is `auto`) tries gpu, node, wasm and cpu in that order and takes the first
 * that loads and passes a one-op self-check.
 *
 * @throws D2ueError (backend) when an explicitly named backend cannot load; the message says how to install it.
 */
export async function selectBackend(name: BackendName = 'auto'): Promise<ConcreteBackend> {
  // PROD silences tfjs's console hints (the cpu backend's "install tfjs-node" banner); d2ue reports backends itself.
  tf.env().set('PROD', true);

  const requested = name === 'auto' ? ((process.env.D2UE_BACKEND as BackendName | undefined) ?? 'auto') : name;
  if (requested !== 'auto') {
    if (!(AUTO_ORDER as readonly string[]).includes(requested)) {
      throw new D2ueError('backend', `D2UE_BACKEND: unknown backend "${requested}"; use one of ${AUTO_ORDER.join(', ')} or auto.`, {
        subject: 'D2UE_BACKEND',
      });
    }
    await activate(requested as ConcreteBackend);
    return requested as ConcreteBackend;
  }

  const failures: string[] = [];
  for (const candidate of AUTO_ORDER) {
    try {
      await activate(candidate);
      return candidate;
    } catch (error) {
      failures.push(`${candidate}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new D2ueError('backend', `No tfjs backend could be loaded:\n  ${failures.join('\n  ')}`);
}

async function activate(backend: ConcreteBackend): Promise<void> {
  switch (backend) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      break;
    case 'wasm':
      // Under Node the package's CommonJS build reads its .wasm binary from its own dist folder.
      await import('@tensorflow/tfjs-backend-wasm');
      break;
    case 'node':
    case 'gpu':
      await loadNative(backend);
      break;
  }

  const tfName = backend === 'node' || backend === 'gpu' ? 'tensorflow' : backend;
  const ok = await tf.setBackend(tfName);
  await tf.ready();
  if (!ok || tf.getBackend() !== tfName) {
    throw new D2ueError('backend', `The ${backend} backend registered but failed to initialise.`, { subject: backend });
  }
  if (backend === 'wasm') (await import('./wasm/index.js')).registerWasmTrainingKernels();
  selfCheck(backend);
}

async function loadNative(backend: 'node' | 'gpu'): Promise<void> {
  const pkg = backend === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  try {
    await import(pkg);
  } catch (error) {
    throw new D2ueError(
      'backend',
      `The ${backend} backend needs ${pkg}, which is not installed or lacks its native addon (${(error as Error).message.split('\n')[0]}). ` +
        `Install it with "npm install ${pkg}@4.22.0" on a machine with internet access (it downloads libtensorflow 2.9.1` +
        (backend === 'gpu' ? '; the GPU build needs Linux x86_64, CUDA 11.2 and cuDNN 8.1 on LD_LIBRARY_PATH)' : ')') +
        ', or choose --backend wasm.',
      { subject: backend, cause: error },
    );
  }
}

/** One small op with a known answer, so a backend that loads but computes garbage is not picked. */
function selfCheck(backend: ConcreteBackend): void {
  const value = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), tf.tensor1d([4, 5, 6]))).dataSync()[0]);
  if (value !== 32) {
    throw new D2ueError('backend', `The ${backend} backend failed its self-check (1·4 + 2·5 + 3·6 gave ${value}, expected 32).`, {
      subject: backend,
    });
  }
}
