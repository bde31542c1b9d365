/**
 * Messages between a {@link WorkerPool} and its workers (structured clone; typed arrays are transferred).
 */
import type { ConcreteBackend } from '../backend/select.js';

/** The setup every worker receives at start (`workerData`). */
export interface WorkerSetup {
  /** The backend the worker activates (one backend per worker). */
  readonly backend: ConcreteBackend;

  /** Plug-in packages whose `register(container)` the worker calls before its first task. */
  readonly plugins: readonly string[];

  /** The seed of the worker's Math.random replacement (with its index appended). */
  readonly seed: string;
  readonly index: number;
}

/** A task: call `exportName` of `module` with `input` and the worker's context. */
export interface TaskRequest {
  readonly id: number;

  /** A package name or a file URL the worker can import. */
  readonly module: string;
  readonly exportName: string;
  readonly input: unknown;
}

/** The reply to a task. */
export type TaskReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown; readonly numTensors: number }
  | { readonly id: number; readonly ok: false; readonly error: { message: string; code?: string; subject?: string }; readonly numTensors: number };

/** Sent once after setup: ready (with the backend) or failed. */
export type ReadyMessage =
  | { readonly ready: true; readonly backend: ConcreteBackend; readonly numTensors: number }
  | { readonly ready: false; readonly error: { message: string; code?: string; subject?: string } };
