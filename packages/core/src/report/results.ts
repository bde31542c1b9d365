import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { ScorerOutcome } from '../evaluation/evaluate.js';
import { writeFileAtomic } from '../io/atomic.js';

/** One row of a results table. */
export interface ResultRow {
  readonly scorer: string;
  readonly members: number;
  readonly auroc: number | null;
  readonly averagePrecision: number | null;
  readonly note: string;
}

/** The table rows of scorer outcomes; "n/a" rows keep their reason. */
export function resultRows(outcomes: readonly ScorerOutcome[]): ResultRow[] {
  return outcomes.map((outcome) =>
    outcome.status === 'ok'
      ? { scorer: outcome.scorer, members: outcome.members, auroc: outcome.auroc, averagePrecision: outcome.averagePrecision, note: '' }
      : { scorer: outcome.scorer, members: outcome.members, auroc: null, averagePrecision: null, note: outcome.reason },
  );
}

/** A fixed-width text table for the terminal. */
export function formatResultsTable(rows: readonly ResultRow[]): string {
  const cells = rows.map((row) => [row.scorer, String(row.members), fixed(row.auroc), fixed(row.averagePrecision), row.note]);
  const header = ['scorer', 'members', 'AUROC', 'AP', ''];
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const render = (line: readonly string[]): string =>
    line.map((cell, column) => (column === 0 || column === 4 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  return [render(header), render(widths.map((width) => '-'.repeat(width))), ...cells.map(render)].join('\n');
}

/** A Markdown table. */
export function formatResultsMarkdown(rows: readonly ResultRow[]): string {
  const lines = ['| scorer | members | AUROC | AP | note |', '|---|---:|---:|---:|---|'];
  for (const row of rows) lines.push(`| ${row.scorer} | ${row.members} | ${fixed(row.auroc)} | ${fixed(row.averagePrecision)} | ${row.note} |`);
  return `${lines.join('\n')}\n`;
}

/** Writes `reports/results.{json,md}` in the run folder. */
export function writeResults(runDir: string, rows: readonly ResultRow[], name = 'results'): void {
  const dir = join(runDir, 'reports');
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, `${name}.json`), `${JSON.stringify(rows, null, 2)}\n`);
  writeFileAtomic(join(dir, `${name}.md`), formatResultsMarkdown(rows));
}

function fixed(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(3);
}
