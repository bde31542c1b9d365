import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ScorerOutcome } from '../evaluation/evaluate.js';
import { writeFileAtomic } from '../io/atomic.js';

/** One row of a results table. */
export interface ResultRow {
  readonly scorer: string;

  /**
   * Tells apart rows of one scorer id with different options: the scores file stem without the ensemble size,
   * e.g. `dsu` or `single.1a2b3c4d`.
   */
  readonly tag: string;
  readonly members: number;
  readonly auroc: number | null;

  /** The bootstrap 95 % interval of the AUROC. */
  readonly aurocLow: number | null;
  readonly aurocHigh: number | null;
  readonly averagePrecision: number | null;
  readonly f1Max: number | null;

  /** Sensitivity at the target specificity (0.95 unless the evaluation chose another). */
  readonly sensitivityAtSpecificity: number | null;
  readonly targetSpecificity: number | null;

  /** Pixel AUROC and AUPRO; present only on rows of a test split with masks. */
  readonly pixelAuroc?: number | null;
  readonly aupro?: number | null;

  /** The "n/a" reason, or the outcome's warnings. */
  readonly note: string;
}

/**
 * Builds the table rows of scorer outcomes. "n/a" rows keep their reason and ok rows their warnings.
 *
 * @param tags - One tag per outcome (see {@link ResultRow.tag}); the scorer id when omitted.
 * @example
 * const rows = resultRows(evaluation.outcomes);
 */
export function resultRows(outcomes: readonly ScorerOutcome[], tags: readonly string[] = []): ResultRow[] {
  return outcomes.map((outcome, index) => {
    const tag = tags[index] ?? outcome.scorer;
    if (outcome.status !== 'ok') {
      return {
        scorer: outcome.scorer,
        tag,
        members: outcome.members,
        auroc: null,
        aurocLow: null,
        aurocHigh: null,
        averagePrecision: null,
        f1Max: null,
        sensitivityAtSpecificity: null,
        targetSpecificity: null,
        note: outcome.reason,
      };
    }
    return {
      scorer: outcome.scorer,
      tag,
      members: outcome.members,
      auroc: outcome.auroc,
      aurocLow: outcome.aurocCi.low,
      aurocHigh: outcome.aurocCi.high,
      averagePrecision: outcome.averagePrecision,
      f1Max: outcome.f1Max,
      sensitivityAtSpecificity: outcome.sensitivityAtSpecificity.sensitivity,
      targetSpecificity: outcome.sensitivityAtSpecificity.target,
      ...(outcome.pixelAuroc !== undefined ? { pixelAuroc: outcome.pixelAuroc, aupro: outcome.aupro ?? null } : {}),
      note: outcome.warnings.length > 0 ? `warning: ${outcome.warnings.join(' ')}` : '',
    };
  });
}

const HEADER = ['scorer', 'members', 'AUROC', 'AUROC 95% CI', 'AP', 'F1-max', 'sens@spec', ''];

// Inserted before the note column when a row has pixel metrics (a test split with masks).
const PIXEL_HEADER = ['pixel AUROC', 'AUPRO'];

/** True when some row carries pixel metrics, so the tables show their columns. */
function hasPixelMetrics(rows: readonly ResultRow[]): boolean {
  return rows.some((row) => row.pixelAuroc !== undefined && row.pixelAuroc !== null);
}

function header(pixel: boolean): string[] {
  return pixel ? [...HEADER.slice(0, -1), ...PIXEL_HEADER, ''] : HEADER;
}

function cells(row: ResultRow, pixel = false): string[] {
  const interval = row.aurocLow === null || row.aurocHigh === null ? 'n/a' : `${fixed(row.aurocLow)}–${fixed(row.aurocHigh)}`;
  const sensitivity = row.targetSpecificity === null ? 'n/a' : `${fixed(row.sensitivityAtSpecificity)} @${row.targetSpecificity}`;
  const pixelCells = pixel ? [fixed(row.pixelAuroc ?? null), fixed(row.aupro ?? null)] : [];
  return [row.tag, String(row.members), fixed(row.auroc), interval, fixed(row.averagePrecision), fixed(row.f1Max), sensitivity, ...pixelCells, row.note];
}

/**
 * Formats rows as a fixed-width text table for the terminal; "pixel AUROC" and "AUPRO" columns appear when a row
 * has them.
 *
 * @example
 * console.log(formatResultsTable(rows));
 */
export function formatResultsTable(rows: readonly ResultRow[]): string {
  const pixel = hasPixelMetrics(rows);
  const titles = header(pixel);
  const lines = rows.map((row) => cells(row, pixel));
  const last = titles.length - 1;
  const widths = titles.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (line: readonly string[]): string =>
    line
      .map((cell, column) => (column === 0 || column === last ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [render(titles), render(widths.map((width) => '-'.repeat(width))), ...lines.map(render)].join('\n');
}

/**
 * Formats rows as a Markdown table, with pixel-metric columns as in {@link formatResultsTable}.
 *
 * @example
 * writeFileSync('results.md', formatResultsMarkdown(rows));
 */
export function formatResultsMarkdown(rows: readonly ResultRow[]): string {
  const pixel = hasPixelMetrics(rows);
  const titles = header(pixel).slice(0, -1);
  const lines = [`| ${titles.join(' | ')} | note |`, `|---|${'---:|'.repeat(titles.length - 1)}---|`];
  for (const row of rows) lines.push(`| ${cells(row, pixel).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

/**
 * Writes `reports/<name>.{json,md}` in the run folder. Rows already in the file for other scorers (other tags) are
 * kept, so evaluating one scorer never drops another scorer's results; a row with the same tag is replaced.
 *
 * @example
 * writeResults(runDir, rows, 'results.k3');
 */
export function writeResults(runDir: string, rows: readonly ResultRow[], name = 'results'): ResultRow[] {
  const dir = join(runDir, 'reports');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);

  const merged = mergeRows(existsSync(file) ? readRows(file) : [], rows);
  writeFileAtomic(file, `${JSON.stringify(merged, null, 2)}\n`);
  writeFileAtomic(join(dir, `${name}.md`), formatResultsMarkdown(merged));
  return merged;
}

/** Earlier rows in their order with same-tag rows replaced in place, then the new tags. */
function mergeRows(earlier: readonly ResultRow[], rows: readonly ResultRow[]): ResultRow[] {
  const fresh = new Map(rows.map((row) => [row.tag, row]));
  const merged = earlier.map((row) => fresh.get(row.tag) ?? row);
  const present = new Set(earlier.map((row) => row.tag));
  return [...merged, ...rows.filter((row) => !present.has(row.tag))];
}

/** Rows of an earlier results file; a file from before tags existed uses the scorer id as tag. */
function readRows(file: string): ResultRow[] {
  try {
    const rows = JSON.parse(readFileSync(file, 'utf8')) as Array<Partial<ResultRow> & { scorer: string; members: number }>;
    if (!Array.isArray(rows)) return [];
    return rows.map((row) => ({
      auroc: null,
      aurocLow: null,
      aurocHigh: null,
      averagePrecision: null,
      f1Max: null,
      sensitivityAtSpecificity: null,
      targetSpecificity: null,
      note: '',
      ...row,
      tag: row.tag ?? row.scorer,
    }));
  } catch {
    // NOTE: an unreadable results file is replaced by the new rows; the scores files keep every scorer's data.
    return [];
  }
}

function fixed(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(3);
}
