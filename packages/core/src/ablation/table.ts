import type { AblationPlan } from './plan.js';
import { scorerKey, scorerLabel } from './keys.js';
import { ABLATION_METRICS, type StoredOutcome } from './store.js';

/** One scorer's result in one cell: finished (ok, n/a) or failed in this run. */
export type CellOutcome = StoredOutcome | { readonly status: 'failed'; readonly reason: string };

/** Digits every table format shows; "best" compares values at this precision, so displayed ties are all bold. */
export const TABLE_DIGITS = 3;

/** One table cell: a (row, scorer, metric) over the seeds. */
export interface TableCell {
  /** `pending` until a seed has a result; `failed` when any seed failed; `n/a` when the scorer does not apply. */
  readonly status: 'ok' | 'n/a' | 'failed' | 'pending';

  /** Mean and sample standard deviation (n − 1 in the denominator) over the finished seeds; std is null for n = 1. */
  readonly mean: number | null;
  readonly std: number | null;
  readonly n: number;

  /** The finished seeds' values, in seed order. */
  readonly values: readonly number[];

  /** Whether this is the column's best mean (at {@link TABLE_DIGITS} digits; higher is better for AUROC and AP). */
  readonly best: boolean;

  /** 1-based index into {@link AblationTable.notes}: the failure or n/a reason. */
  readonly note: number | null;
}

/** One column: a scorer and a metric. */
export interface TableColumn {
  readonly scorer: string;
  readonly metric: string;
}

/** An ablation table in a format-neutral form; the JSON output is this object. */
export interface AblationTable {
  readonly format: 'd2ue-ablation-table/1';
  readonly source: string;
  readonly configHash: string;

  /** Row header names (axis names), and per row the label of each axis value. */
  readonly axes: readonly string[];
  readonly seeds: readonly number[];
  readonly columns: readonly TableColumn[];
  readonly rows: ReadonlyArray<{ readonly settings: readonly string[]; readonly cells: readonly TableCell[] }>;

  /** Distinct failure and n/a reasons, referred to by cells as [1], [2], ... */
  readonly notes: readonly string[];

  /** Backends the members were trained on, and package versions (from the runs' manifests). */
  readonly backends: readonly string[];
  readonly versions: Readonly<Record<string, string>>;
  readonly date: string;
}

/** The inputs of {@link buildTable} besides the plan. */
export interface TableInputs {
  /** A cell's outcome for a scorer key, if it has one. */
  readonly outcome: (cell: number, scorer: string) => CellOutcome | undefined;
  readonly backends: readonly string[];
  readonly versions: Readonly<Record<string, string>>;
  readonly date: string;
}

/**
 * Aggregates the cells of a plan into table rows (one per grid row) and columns (scorer × metric). A table cell
 * is the mean ± sample standard deviation over the seeds that finished; a failure of any seed makes it "failed".
 *
 * @example
 * const table = buildTable(plan, { outcome: (cell, scorer) => results.get(cell)?.get(scorer), backends: ['cpu'], versions: {}, date: new Date().toISOString() });
 */
export function buildTable(plan: AblationPlan, inputs: TableInputs): AblationTable {
  const notes: string[] = [];
  const noteOf = (reason: string): number => {
    const text = reason.replace(/\s+/g, ' ').trim();
    const found = notes.indexOf(text);
    if (found >= 0) return found + 1;
    notes.push(text);
    return notes.length;
  };

  const columns = plan.scorers.flatMap((entry) => ABLATION_METRICS.map((metric) => ({ scorer: scorerLabel(entry), metric: metric.label })));
  const rows = plan.rows.map((row) => {
    const cells = plan.cells.filter((cell) => cell.row === row.index);
    const rowCells = plan.scorers.flatMap((entry) => {
      const outcomes = cells.map((cell) => inputs.outcome(cell.index, scorerKey(entry)));
      return ABLATION_METRICS.map((metric) => aggregate(outcomes, metric.id, noteOf));
    });
    return { settings: row.values.map((value) => value.label), cells: rowCells };
  });

  return {
    format: 'd2ue-ablation-table/1',
    source: plan.source,
    configHash: plan.configHash,
    axes: plan.axes.map((axis) => axis.name),
    seeds: plan.seeds,
    columns,
    rows: markBest(rows),
    notes,
    backends: inputs.backends,
    versions: inputs.versions,
    date: inputs.date,
  };
}

function aggregate(outcomes: ReadonlyArray<CellOutcome | undefined>, metric: 'auroc' | 'averagePrecision', noteOf: (reason: string) => number): TableCell {
  const empty = { mean: null, std: null, n: 0, values: [], best: false, note: null };
  const failed = outcomes.find((outcome) => outcome?.status === 'failed');
  if (failed?.status === 'failed') return { ...empty, status: 'failed', note: noteOf(failed.reason) };

  const values = outcomes.flatMap((outcome) => (outcome?.status === 'ok' ? [outcome[metric]] : []));
  if (values.length > 0) {
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const std = values.length > 1 ? Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1)) : null;
    return { status: 'ok', mean, std, n: values.length, values, best: false, note: null };
  }

  const notApplicable = outcomes.find((outcome) => outcome?.status === 'n/a');
  if (notApplicable?.status === 'n/a') return { ...empty, status: 'n/a', note: noteOf(notApplicable.reason) };
  return { ...empty, status: 'pending' };
}

/** Marks, per column, every cell whose displayed mean equals the column's highest. */
function markBest<R extends { readonly cells: readonly TableCell[] }>(rows: readonly R[]): R[] {
  const width = rows[0]?.cells.length ?? 0;
  const best: Array<string | null> = [];
  for (let column = 0; column < width; column++) {
    const means = rows.flatMap((row) => (row.cells[column]!.mean === null ? [] : [row.cells[column]!.mean!]));
    best.push(means.length > 0 ? Math.max(...means).toFixed(TABLE_DIGITS) : null);
  }
  return rows.map((row) => ({
    ...row,
    cells: row.cells.map((cell, column) => ({ ...cell, best: cell.mean !== null && cell.mean.toFixed(TABLE_DIGITS) === best[column] })),
  }));
}
