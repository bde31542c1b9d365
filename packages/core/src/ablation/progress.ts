/** The progress of a grid after a cell, for a progress line. */
export interface CellProgress {
  /** Cells handled so far (finished earlier, computed now or failed) and in all. */
  readonly done: number;
  readonly total: number;
  readonly label: string;

  /**
   * `cached`: every scorer was finished earlier; `trained`: a training ran for it; `evaluated`: reused members;
   * `failed`: its training or plug-ins failed.
   */
  readonly how: 'cached' | 'trained' | 'evaluated' | 'failed';

  /** Scorers of the cell that failed. */
  readonly failed: number;
  readonly seconds: number;

  /** Estimated seconds until the grid is done; null before any cell was computed. */
  readonly etaSeconds: number | null;
}

/**
 * Estimates the time left as the mean time of the cells computed so far times the cells still to compute (cells
 * found finished cost nothing).
 *
 * @example
 * const eta = new EtaClock(8); eta.computed(30); eta.remaining(); // 210
 */
export class EtaClock {
  private seconds = 0;
  private count = 0;

  constructor(private left: number) {}

  /** Records one computed cell. */
  computed(seconds: number): void {
    this.seconds += seconds;
    this.count++;
    this.left = Math.max(0, this.left - 1);
  }

  /** Seconds left, or null before the first computed cell. */
  remaining(): number | null {
    return this.count === 0 ? null : (this.seconds / this.count) * this.left;
  }
}

/**
 * Formats a duration for people: `45 s`, `12 min 5 s`, `3 h 20 min`, `2 d 4 h`.
 *
 * @example
 * formatTimeSpan(7500); // '2 h 5 min'
 */
export function formatTimeSpan(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.round((s % 86_400) / 3600)} h`;
}

/**
 * Formats the progress line of a cell: `[3/8] repulsion.name=rar, seed 2: trained, 2.1 s; ETA 12 s`.
 *
 * @example
 * progressLine({ done: 1, total: 4, label: 'seed 1', how: 'cached', failed: 0, seconds: 0, etaSeconds: null });
 */
export function progressLine(progress: CellProgress): string {
  const failed = progress.failed > 0 ? `, ${progress.failed} scorer(s) failed` : '';
  const eta = progress.etaSeconds === null ? '' : `; ETA ${formatTimeSpan(progress.etaSeconds)}`;
  const time = progress.how === 'cached' ? 'already finished' : `${progress.how} in ${formatTimeSpan(progress.seconds)}`;
  return `[${progress.done}/${progress.total}] ${progress.label}: ${time}${failed}${eta}`;
}
