import * as tf from '@tensorflow/tfjs-core';

import type { BackendName } from '../config/schema.js';
import { D2ueError } from '../errors.js';
import './gradients.js';
import { loadNativeBackend } from './native.js';
import { selfCheck } from './self-check.js';

/** The concrete backends `auto` tries, fastest first. */
export const AUTO_ORDER = ['gpu', 'node', 'wasm', 'cpu'] as const;

/** A backend d2ue can run on (everything but `auto`). */
export type ConcreteBackend = (typeof AUTO_ORDER)[number];

/** The name tfjs registers each concrete backend under (tfjs-node and tfjs-node-gpu both register `tensorflow`). */
export function tfjsBackendName(backend: ConcreteBackend): string {
  return backend === 'node' || backend === 'gpu' ? 'tensorflow' : backend;
}

/**
 * Makes `name` the active tfjs backend and returns the concrete backend chosen. `auto` (or the `D2UE_BACKEND`
 * environment variable, when `name` is `auto`) tries gpu, node, wasm and cpu in that order and takes the first
 * that loads and passes the self-check (a strided conv2d and both its gradients, see self-check.ts).
 *
 * @example
 * const backend = await selectBackend('auto'); // 'wasm' on a machine without libtensorflow
 * @throws D2ueError (backend) when an explicitly named backend cannot load. The message gives the install command.
 */
export async function selectBackend(name: BackendName = 'auto'): Promise<ConcreteBackend> {
  const requested = name === 'auto' ? ((process.env.D2UE_BACKEND as BackendName | undefined) ?? 'auto') : name;
  if (requested !== 'auto') {
    if (!(AUTO_ORDER as readonly string[]).includes(requested)) {
      // Name where the value came from: the environment variable, or the caller's argument.
      const subject = name === 'auto' ? 'D2UE_BACKEND' : 'backend';
      throw new D2ueError('backend', `${subject}: unknown backend "${requested}"; use one of ${AUTO_ORDER.join(', ')} or auto.`, {
        subject,
      });
    }
    await activateBackend(requested as ConcreteBackend);
    return requested as ConcreteBackend;
  }

  const failures: string[] = [];
  for (const candidate of AUTO_ORDER) {
    try {
      await activateBackend(candidate);
      return candidate;
    } catch (error) {
      failures.push(`${candidate}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new D2ueError('backend', `No tfjs backend could be loaded:\n  ${failures.join('\n  ')}`);
}

/**
 * Loads one concrete backend, makes it active, registers d2ue's wasm training kernels (wasm) and runs the
 * self-check.
 *
 * @example
 * await activateBackend('cpu');
 * @throws D2ueError (backend) when the backend is missing, fails to initialise or fails the self-check.
 */
export async function activateBackend(backend: ConcreteBackend): Promise<void> {
  // PROD silences tfjs's console hints (the cpu backend's "install tfjs-node" banner); d2ue reports backends itself.
  tf.env().set('PROD', true);

  switch (backend) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      break;
    case 'wasm':
      // Under Node the package's CommonJS build reads its .wasm binary from its own dist folder.
      await import('@tensorflow/tfjs-backend-wasm');
      (await import('./wasm/index.js')).registerWasmTrainingKernels();
      break;
    case 'node':
    case 'gpu':
      await loadNativeBackend(backend);
      break;
  }

  const tfName = tfjsBackendName(backend);
  let ok: boolean;
  try {
    ok = await tf.setBackend(tfName);
    await tf.ready();
  } catch (error) {
    throw new D2ueError('backend', `The ${backend} backend failed to initialise (${(error as Error).message.split('\n')[0]}).`, {
      subject: backend,
      cause: error,
    });
  }
  if (!ok || tf.getBackend() !== tfName) {
    throw new D2ueError('backend', `The ${backend} backend registered but failed to initialise.`, { subject: backend });
  }
  selfCheck(backend);
}
