import { join } from 'node:path';

import { writeFileAtomic } from '../io/atomic.js';
import { formatAblationCsv, formatAblationJson, formatAblationLatex, formatAblationMarkdown } from './format.js';
import type { AblationTable } from './table.js';

/** The table files of an ablation folder, by format. */
export const ABLATION_TABLE_FILES = {
  json: 'ablation.json',
  csv: 'ablation.csv',
  markdown: 'ablation.md',
  latex: 'ablation.tex',
} as const;

/**
 * Writes the table in all four formats into `out`, each atomically (a crash leaves the previous complete file).
 * Returns the paths written.
 *
 * @example
 * writeAblationTables('ablations/base', table); // ['ablations/base/ablation.json', ...]
 * @throws D2ueError `io` when a file cannot be written.
 */
export function writeAblationTables(out: string, table: AblationTable): string[] {
  const contents: Record<keyof typeof ABLATION_TABLE_FILES, string> = {
    json: formatAblationJson(table),
    csv: formatAblationCsv(table),
    markdown: formatAblationMarkdown(table),
    latex: formatAblationLatex(table),
  };
  return (Object.keys(ABLATION_TABLE_FILES) as Array<keyof typeof ABLATION_TABLE_FILES>).map((format) => {
    const file = join(out, ABLATION_TABLE_FILES[format]);
    writeFileAtomic(file, contents[format]);
    return file;
  });
}
