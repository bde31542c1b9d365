/**
 * A small pool of `worker_threads`, one tfjs backend each, for independent work (ensemble members at scoring
 * time, ablation cells, seeds). tfjs-backend-wasm has no threads under Node (4.22), so this is the only way to use
 * more than one core with it.
 *
 * Each worker activates its backend, registers the plug-ins, replaces Math.random with a seeded generator, and
 * reports `tf.memory().numTensors` after every task (see worker.ts). Tasks are `(module, exportName, input)`: the
 * worker imports the module and calls the function, so a task can be any exported function of a built package.
 *
 * NOTE: workers run JavaScript, so under vitest (TypeScript sources) the pool starts the built worker from
 * `packages/core/dist`; run `npx tsc -b` first.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import type { BackendName } from '../config/schema.js';
import { D2ueError, type D2ueErrorCode } from '../errors.js';
import type { ReadyMessage, TaskReply, TaskRequest, WorkerSetup } from './protocol.js';

/** Options of {@link WorkerPool.start}. */
export interface PoolOptions {
  /** Workers to start (default: the number of cores, at least 1). */
  readonly size?: number;

  /** The backend every worker activates (default `auto`). */
  readonly backend?: BackendName;

  /** Plug-in packages each worker registers (default none). */
  readonly plugins?: readonly string[];

  /** Seed of the workers' Math.random replacement. */
  readonly seed: string;
}

/** A finished task. */
export interface TaskResult<T> {
  readonly result: T;

  /** `tf.memory().numTensors` in the worker after the task; flat across tasks when nothing leaks. */
  readonly numTensors: number;

  /** The index of the worker that ran it. */
  readonly worker: number;
}

interface Pending {
  request: TaskRequest;
  resolve: (value: TaskResult<unknown>) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  index: number;
  busy: Pending | undefined;
  dead: boolean;
}

/**
 * Returns the URL of the built module `name` (without extension) next to this one: `dist/parallel/<name>.js`, also
 * when this file runs from `src` (vitest).
 *
 * @example
 * builtModuleUrl('worker'); // file:///…/packages/core/dist/parallel/worker.js
 * @throws D2ueError (run) when the built file is missing.
 */
export function builtModuleUrl(name: string): URL {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(here.replace(/([\\/])src([\\/]parallel)$/, '$1dist$2'), `${name}.js`);
  if (!existsSync(file)) {
    throw new D2ueError('run', `parallel: the built worker module ${file} is missing; run "npx tsc -b" from the repository root first.`, {
      subject: file,
    });
  }
  return pathToFileURL(file);
}

/** A pool of worker threads; see the file header. */
export class WorkerPool {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  private constructor(slots: Slot[]) {
    this.slots = slots;
  }

  /** The number of workers. */
  get size(): number {
    return this.slots.length;
  }

  /**
   * Starts the workers and waits until each has activated its backend and registered its plug-ins.
   *
   * @example
   * const pool = await WorkerPool.start({ size: 2, backend: 'wasm', seed: 'score' });
   * @throws D2ueError when a worker cannot start (its backend or a plug-in failed); the message is the worker's.
   */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const size = Math.max(1, options.size ?? availableParallelism());
    const script = builtModuleUrl('worker');
    const slots: Slot[] = [];
    try {
      for (let index = 0; index < size; index++) {
        const setup: WorkerSetup = {
          backend: (options.backend ?? 'auto') as WorkerSetup['backend'],
          plugins: [...(options.plugins ?? [])],
          seed: options.seed,
          index,
        };
        slots.push({ worker: new Worker(script, { workerData: setup }), index, busy: undefined, dead: false });
      }
      await Promise.all(slots.map((slot) => waitReady(slot.worker)));
    } catch (error) {
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
      throw error;
    }
    const pool = new WorkerPool(slots);
    for (const slot of slots) pool.listen(slot);
    return pool;
  }

  /**
   * Runs `exportName` of `module` with `input` on the next free worker.
   *
   * @example
   * const { result } = await pool.run<number>('file:///…/task.js', 'double', 21);
   * @throws D2ueError with the worker's error code and message when the task throws, or (run) when the worker dies.
   */
  run<T>(module: string | URL, exportName: string, input: unknown): Promise<TaskResult<T>> {
    if (this.closed) {
      return Promise.reject(new D2ueError('run', 'parallel: the worker pool is closed; start a new one.'));
    }
    return new Promise((resolve, reject) => {
      const request: TaskRequest = { id: this.nextId++, module: String(module), exportName, input };
      this.queue.push({ request, resolve: resolve as Pending['resolve'], reject });
      this.dispatch();
    });
  }

  /** Stops every worker; pending tasks are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new D2ueError('run', 'parallel: the worker pool closed before the task ran.'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.dead || slot.busy !== undefined) continue;
      const next = this.queue.shift();
      if (next === undefined) return;
      slot.busy = next;
      slot.worker.postMessage(next.request);
    }
    if (this.queue.length > 0 && this.slots.every((slot) => slot.dead)) {
      for (const pending of this.queue.splice(0)) pending.reject(new D2ueError('run', 'parallel: every worker has stopped.'));
    }
  }

  private listen(slot: Slot): void {
    slot.worker.on('message', (reply: TaskReply) => {
      const pending = slot.busy;
      slot.busy = undefined;
      if (pending !== undefined) {
        if (reply.ok) {
          pending.resolve({ result: reply.result, numTensors: reply.numTensors, worker: slot.index });
        } else {
          pending.reject(new D2ueError((reply.error.code as D2ueErrorCode | undefined) ?? 'run', reply.error.message, { subject: reply.error.subject ?? '' }));
        }
      }
      this.dispatch();
    });
    const fail = (error: unknown): void => {
      slot.dead = true;
      const pending = slot.busy;
      slot.busy = undefined;
      pending?.reject(new D2ueError('run', `parallel: worker ${slot.index} stopped (${String((error as Error)?.message ?? error)}).`, { cause: error }));
      this.dispatch();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => {
      if (!this.closed && !slot.dead) fail(new Error(`exit code ${code}`));
    });
  }
}

function waitReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(new D2ueError('run', `parallel: a worker failed to start (${error.message}).`, { cause: error }));
    worker.once('error', onError);
    worker.once('message', (message: ReadyMessage) => {
      worker.off('error', onError);
      if (message.ready) {
        resolve();
      } else {
        reject(new D2ueError((message.error.code as D2ueErrorCode | undefined) ?? 'run', message.error.message, { subject: message.error.subject ?? '' }));
      }
    });
  });
}
