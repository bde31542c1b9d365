import { MultiBar, Presets, type SingleBar } from 'cli-progress';

import type { EpochRecord } from '../training/progress.js';
import type { StartPoint, TrainingObserver } from '../training/trainer.js';

/** Writes a progress line to stderr, so stdout carries only results (tables, scores). */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Options of {@link trainingProgress}. */
export interface ProgressOptions {
  readonly ensembleSize: number;
  readonly epochs: number;
  readonly repulsionId: string;
  readonly weight: number;

  /** Print nothing at all. */
  readonly quiet?: boolean;

  /** The output stream; default stderr. */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };

  /** Draw redrawing bars; default: whether `stream` is a terminal. Off, it prints plain lines (CI logs, files). */
  readonly tty?: boolean;

  /** Within an epoch, the seconds between plain step lines; default 30. */
  readonly interval?: number;
}

/** The CLI's training display: an observer for the trainer, a log function for other lines, and `stop`. */
export interface TrainingProgress {
  readonly observer: TrainingObserver;
  readonly log: (line: string) => void;

  /** Ends the display (restores the cursor after bars); call it whatever way training ended. */
  stop(): void;
}

/**
 * Training progress for a terminal or a log. On a terminal: a bar for the whole run and one per member, each with
 * its ETA, and the per-epoch lines scrolling above them. Elsewhere: the per-epoch lines plus a step line with ETAs
 * every `interval` seconds inside long epochs, never a redraw.
 */
export function trainingProgress(options: ProgressOptions): TrainingProgress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { observer: {}, log: () => undefined, stop: () => undefined };

  const clock = new EtaClock(options.ensembleSize, options.epochs);
  const plain = (line: string): void => void stream.write(`${line}\n`);
  return (options.tty ?? stream.isTTY === true) ? barDisplay(options, stream, clock) : plainDisplay(options, plain, clock);
}

function plainDisplay(options: ProgressOptions, write: (line: string) => void, clock: EtaClock): TrainingProgress {
  const interval = (options.interval ?? 30) * 1000;
  let lastLine = 0;
  return {
    observer: {
      onMemberStart: (member, steps, start) => {
        clock.memberStart(member, steps, start);
        lastLine = performance.now();
        write(memberLine(options, member, steps, start));
      },
      onStep: (member, epoch, step) => {
        clock.step();
        if (performance.now() - lastLine < interval) return;
        lastLine = performance.now();
        write(`  member ${member}  epoch ${epochOf(epoch, options.epochs)}  step ${step + 1}/${clock.steps}  ${clock.describe()}`);
      },
      onEpochEnd: (record) => {
        lastLine = performance.now();
        write(`${epochLine(options, record, clock.elapsed())}  ${clock.describe()}`);
      },
    },
    log: write,
    stop: () => undefined,
  };
}

function barDisplay(options: ProgressOptions, stream: NodeJS.WritableStream, clock: EtaClock): TrainingProgress {
  const bars = new MultiBar(
    { stream: stream as NodeJS.WriteStream, hideCursor: true, clearOnComplete: false, etaBuffer: 200, fps: 4, autopadding: true },
    Presets.shades_classic,
  );
  let runBar: SingleBar | undefined;
  let memberBar: SingleBar | undefined;
  let active = false;

  const log = (line: string): void => {
    if (active) bars.log(`${line}\n`);
    else stream.write(`${line}\n`);
  };

  return {
    observer: {
      onMemberStart: (member, steps, start) => {
        clock.memberStart(member, steps, start);
        log(memberLine(options, member, steps, start));
        active = true;
        const perMember = options.epochs * steps;
        runBar ??= bars.create(options.ensembleSize * perMember, clock.runDone, { member }, {
          format: `run      {bar} {percentage}% | member {member} of ${options.ensembleSize} | ETA {eta_formatted}`,
        });
        runBar.update(clock.runDone, { member });
        memberBar = bars.create(perMember, clock.memberDone, { epoch: start.epoch + 1, step: start.step, loss: '-' }, {
          format: `member ${member} {bar} epoch {epoch}/${options.epochs} step {step}/${steps} | loss {loss} | ETA {eta_formatted}`,
        });
      },
      onStep: (_member, epoch, step, losses) => {
        clock.step();
        memberBar?.update(clock.memberDone, { epoch: epoch + 1, step: step + 1, loss: losses.total.toFixed(5) });
        runBar?.update(clock.runDone);
      },
      onEpochEnd: (record) => log(epochLine(options, record, clock.elapsed())),
    },
    log,
    stop: () => {
      // MultiBar.stop draws the bars one last time but drops lines still waiting in its log buffer; update flushes them.
      if (active) {
        bars.update();
        bars.stop();
      }
      active = false;
    },
  };
}

/** Counts steps and estimates the time left from the mean step time of this process. */
class EtaClock {
  steps = 0;
  runDone = 0;
  memberDone = 0;
  private stepsHere = 0;
  private readonly started = performance.now();

  constructor(
    private readonly ensembleSize: number,
    private readonly epochs: number,
  ) {}

  memberStart(member: number, steps: number, start: StartPoint): void {
    this.steps = steps;
    this.memberDone = start.epoch * steps + start.step;
    this.runDone = member * this.epochs * steps + this.memberDone;
  }

  step(): void {
    this.stepsHere += 1;
    this.memberDone += 1;
    this.runDone += 1;
  }

  elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  /** e.g. `ETA member 1m 05s, run 12m 40s`. */
  describe(): string {
    if (this.stepsHere === 0) return 'ETA unknown';
    const perStep = this.elapsed() / this.stepsHere;
    const perMember = this.epochs * this.steps;
    const member = (perMember - this.memberDone) * perStep;
    const run = (this.ensembleSize * perMember - this.runDone) * perStep;
    return `ETA member ${formatDuration(member)}, run ${formatDuration(run)}`;
  }
}

/** `42s`, `5m 07s`, `3h 02m`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

function memberLine({ ensembleSize, epochs }: ProgressOptions, member: number, steps: number, start: StartPoint): string {
  const seniors = member > 0 ? `, seniors 0..${member - 1} frozen` : '';
  const resumed = start.epoch > 0 || start.step > 0 ? `, resuming at epoch ${start.epoch + 1} step ${start.step + 1}` : '';
  return `member ${member} (${member + 1} of ${ensembleSize}): ${epochs} epochs × ${steps} steps${seniors}${resumed}`;
}

function epochLine({ epochs, repulsionId, weight }: ProgressOptions, record: EpochRecord, elapsed: number): string {
  return (
    `  member ${record.member}  epoch ${epochOf(record.epoch, epochs)}` +
    `  loss ${record.loss.toFixed(5)} (backbone ${record.backboneLoss.toFixed(5)} + ${weight}·${repulsionId} ${record.repulsion.toFixed(4)})` +
    `  ${record.seconds.toFixed(1)} s  [${elapsed.toFixed(0)} s total]`
  );
}

function epochOf(epoch: number, epochs: number): string {
  return `${String(epoch + 1).padStart(String(epochs).length)}/${epochs}`;
}
