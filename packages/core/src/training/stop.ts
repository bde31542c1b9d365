import { D2ueError } from '../errors.js';

/** The training position at which a requested stop took effect. */
export interface StopPoint {
  readonly member: number;

  /** The 0-based epoch in progress and its completed steps. */
  readonly epoch: number;
  readonly step: number;

  /** Whether a checkpoint contains this position. False only when the member had not started. */
  readonly saved: boolean;

  /** The abort reason, e.g. `SIGINT`. */
  readonly reason: string;
}

/**
 * Thrown by the trainer after it honoured a stop request: the current step finished and a checkpoint was saved, so
 * the run can be resumed. Callers add how (the run folder) to the message.
 */
export class TrainingStopped extends D2ueError {
  readonly point: StopPoint;

  constructor(point: StopPoint, message?: string) {
    super(
      'run',
      message ??
        `Training stopped (${point.reason}) during member ${point.member}, epoch ${point.epoch + 1}, after step ${point.step}.`,
    );
    this.name = 'TrainingStopped';
    this.point = point;
  }
}

/** A stop request tied to process signals; `dispose` removes the handlers. */
export interface SignalStop {
  readonly signal: AbortSignal;
  /** Removes the signal handlers. */
  dispose(): void;
}

/**
 * Turns the first SIGINT or SIGTERM into an abort of `signal` (the trainer then finishes its step, saves a
 * checkpoint and throws {@link TrainingStopped}). A second one calls `beforeExit` (e.g. to restore the cursor) and
 * exits at once with 128 + the signal number, as a shell reports it.
 */
export function stopOnSignals(onFirst: (signal: NodeJS.Signals) => void = () => undefined, beforeExit: () => void = () => undefined): SignalStop {
  const controller = new AbortController();
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15 };

  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      beforeExit();
      process.exit(128 + (numbers[signal] ?? 0));
    }
    controller.abort(signal);
    onFirst(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);

  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/**
 * Lets the event loop run once. Training steps are synchronous, so without this no signal handler, timer or
 * progress redraw would run until the whole learner is trained.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
