/**
 * The worker side of {@link WorkerPool}: activates one backend, registers the plug-ins, replaces Math.random with
 * a seeded generator, then runs tasks one at a time and reports `tf.memory().numTensors` after each.
 *
 * Math.random is replaced because d2ue code must be reproducible. A worker that drew from the unseeded
 * Math.random would make parallel results differ between runs. With a seeded generator per worker, a library that
 * still calls it stays deterministic.
 */
import { parentPort, workerData } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import type { DependencyContainer } from 'tsyringe';

import { loadPlugins } from '../app/plugins.js';
import { selectBackend } from '../backend/select.js';
import { D2ueError } from '../errors.js';
import type { ReadyMessage, TaskReply, TaskRequest, WorkerSetup } from './protocol.js';

/** The context a task function receives besides its input. */
export interface WorkerContext {
  readonly container: DependencyContainer;
  readonly backend: string;
  readonly index: number;
}

/** A function a pool can run: takes the posted input and returns a structured-cloneable result. */
export type TaskFunction = (input: never, context: WorkerContext) => unknown;

function describeError(error: unknown): { message: string; code?: string; subject?: string } {
  const e = error as Partial<D2ueError>;
  return {
    message: String(e?.message ?? error),
    ...(e?.code ? { code: e.code } : {}),
    ...(e?.subject ? { subject: e.subject } : {}),
  };
}

/** Typed arrays' buffers in a result, so they move instead of being copied. */
function transferables(value: unknown, out: ArrayBuffer[] = [], depth = 0): ArrayBuffer[] {
  if (depth > 4 || value == null || typeof value !== 'object') return out;
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
    return out;
  }
  for (const entry of Object.values(value)) transferables(entry, out, depth + 1);
  return out;
}

async function main(): Promise<void> {
  const port = parentPort!;
  const setup = workerData as WorkerSetup;
  Math.random = seedrandom(`${setup.seed}/worker/${setup.index}`);

  let container: DependencyContainer;
  let backend: string;
  try {
    backend = await selectBackend(setup.backend);
    container = await loadPlugins(setup.plugins);
  } catch (error) {
    port.postMessage({ ready: false, error: describeError(error) } satisfies ReadyMessage);
    return;
  }
  port.postMessage({ ready: true, backend: setup.backend, numTensors: tf.memory().numTensors } satisfies ReadyMessage);

  const context: WorkerContext = { container, backend, index: setup.index };
  port.on('message', async (request: TaskRequest) => {
    let reply: TaskReply;
    try {
      const module = (await import(request.module)) as Record<string, unknown>;
      const fn = module[request.exportName];
      if (typeof fn !== 'function') {
        throw new D2ueError('run', `worker task: "${request.module}" exports no function "${request.exportName}".`, {
          subject: request.exportName,
        });
      }
      const result = await (fn as (input: unknown, context: WorkerContext) => unknown)(request.input, context);
      reply = { id: request.id, ok: true, result, numTensors: tf.memory().numTensors };
    } catch (error) {
      reply = { id: request.id, ok: false, error: describeError(error), numTensors: tf.memory().numTensors };
    }
    port.postMessage(reply, reply.ok ? transferables(reply.result) : []);
  });
}

await main();
