import { ABLATION_METRICS } from './store.js';
import { TABLE_DIGITS, type AblationTable, type TableCell } from './table.js';

/** Builds the notation line every format prints under the table. */
function legend(table: AblationTable): string {
  return (
    `Cells: mean ± sample standard deviation (n finished seeds) over seeds ${table.seeds.join(', ')}; ` +
    'best mean per column in bold; "n/a": the scorer does not apply; "failed": see the note.'
  );
}

function footer(table: AblationTable): string {
  const versions = Object.entries(table.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return `Backend: ${table.backends.join(', ') || 'none yet'}. Versions: ${versions}. Config: ${table.source}, sha256 ${table.configHash}.`;
}

/** Row header names; a grid without axes has one row, "base". */
function headers(table: AblationTable): { names: readonly string[]; settings: (row: number) => readonly string[] } {
  if (table.axes.length > 0) return { names: table.axes, settings: (row) => table.rows[row]!.settings };
  return { names: ['config'], settings: () => ['base'] };
}

/** `0.853 ± 0.012 (3)`; one seed shows no spread: `0.853 (1)`. */
function valueText(cell: TableCell, plusMinus: string): string {
  const spread = cell.std === null ? '' : ` ${plusMinus} ${cell.std.toFixed(TABLE_DIGITS)}`;
  return `${cell.mean!.toFixed(TABLE_DIGITS)}${spread} (${cell.n})`;
}

function statusText(cell: TableCell): string {
  return cell.note === null ? cell.status : `${cell.status} [${cell.note}]`;
}

/**
 * Renders a Markdown table with the legend, the notes and the footer below it. The date is the last line.
 *
 * @example
 * writeFileSync('ablation.md', formatAblationMarkdown(table));
 */
export function formatAblationMarkdown(table: AblationTable): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|');
  const { names, settings } = headers(table);
  const head = [...names, ...table.columns.map((column) => `${column.scorer} ${column.metric}`)].map(escape);
  const align = [...names.map(() => '---'), ...table.columns.map(() => '---:')];
  const lines = [`| ${head.join(' | ')} |`, `|${align.join('|')}|`];
  table.rows.forEach((row, index) => {
    const cells = row.cells.map((cell) => {
      if (cell.status !== 'ok') return statusText(cell);
      return cell.best ? `**${valueText(cell, '±')}**` : valueText(cell, '±');
    });
    lines.push(`| ${[...settings(index).map(escape), ...cells.map(escape)].join(' | ')} |`);
  });

  const notes = table.notes.map((note, i) => `[${i + 1}] ${escape(note)}`);
  return `${[...lines, '', legend(table), ...(notes.length > 0 ? ['', ...notes] : []), '', footer(table), `Date: ${table.date}`].join('\n')}\n`;
}

/**
 * Renders CSV with one row per grid row: the axis values, then per scorer and metric its mean, std and n, then per
 * scorer a status (`ok`, `pending`, `n/a: reason`, `failed: reason`). Footer lines start with `#` (pandas: `comment='#'`).
 *
 * @example
 * writeFileSync('ablation.csv', formatAblationCsv(table));
 */
export function formatAblationCsv(table: AblationTable): string {
  const { names, settings } = headers(table);
  const metricsPerScorer = ABLATION_METRICS.length;
  const scorers = table.columns.filter((_, i) => i % metricsPerScorer === 0).map((column) => column.scorer);

  const head = [
    ...names,
    ...table.columns.flatMap((column) => [`${column.scorer} ${column.metric} mean`, `${column.scorer} ${column.metric} std`, `${column.scorer} ${column.metric} n`]),
    ...scorers.map((scorer) => `${scorer} status`),
  ];
  const lines = [head.map(csvField).join(',')];
  table.rows.forEach((row, index) => {
    const numbers = row.cells.flatMap((cell) => [cell.mean === null ? '' : String(cell.mean), cell.std === null ? '' : String(cell.std), String(cell.n)]);
    const statuses = scorers.map((_, s) => {
      const cell = row.cells[s * metricsPerScorer]!;
      return cell.note === null ? cell.status : `${cell.status}: ${table.notes[cell.note - 1]}`;
    });
    lines.push([...settings(index), ...numbers, ...statuses].map(csvField).join(','));
  });
  return `${[...lines, `# ${legend(table)}`, `# ${footer(table)}`, `# Date: ${table.date}`].join('\n')}\n`;
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Renders a LaTeX `tabular` with booktabs rules (`\usepackage{booktabs}`). A scorer header spans its metrics and the
 * notes sit below the bottom rule. The legend and footer are `%` comments, and the date is the last line.
 *
 * @example
 * writeFileSync('ablation.tex', formatAblationLatex(table));
 */
export function formatAblationLatex(table: AblationTable): string {
  const { names, settings } = headers(table);
  const groups: Array<{ scorer: string; span: number }> = [];
  for (const column of table.columns) {
    const last = groups[groups.length - 1];
    if (last && last.scorer === column.scorer) last.span++;
    else groups.push({ scorer: column.scorer, span: 1 });
  }
  const width = names.length + table.columns.length;

  const lines = [`% ${legend(table)}`, `\\begin{tabular}{${'l'.repeat(names.length)}${'r'.repeat(table.columns.length)}}`, '\\toprule'];
  let start = names.length + 1;
  const rules: string[] = [];
  const spans = groups.map((group) => {
    rules.push(`\\cmidrule(lr){${start}-${start + group.span - 1}}`);
    start += group.span;
    return `\\multicolumn{${group.span}}{c}{${latexEscape(group.scorer)}}`;
  });
  lines.push(`${[...names.map(() => ''), ...spans].join(' & ')} \\\\`, rules.join(' '));
  lines.push(`${[...names.map(latexEscape), ...table.columns.map((column) => latexEscape(column.metric))].join(' & ')} \\\\`, '\\midrule');

  table.rows.forEach((row, index) => {
    const cells = row.cells.map((cell) => {
      if (cell.status !== 'ok') return latexEscape(statusText(cell));
      const text = valueText(cell, '$\\pm$');
      return cell.best ? `\\textbf{${text}}` : text;
    });
    lines.push(`${[...settings(index).map(latexEscape), ...cells].join(' & ')} \\\\`);
  });
  lines.push('\\bottomrule');
  for (const [i, note] of table.notes.entries()) lines.push(`\\multicolumn{${width}}{l}{\\footnotesize [${i + 1}] ${latexEscape(note)}} \\\\`);
  lines.push('\\end{tabular}', `% ${footer(table)}`, `% Date: ${table.date}`);
  return `${lines.join('\n')}\n`;
}

/** Escapes LaTeX's special characters in text. */
export function latexEscape(text: string): string {
  const replacements: Record<string, string> = {
    '\\': '\\textbackslash{}',
    '&': '\\&',
    '%': '\\%',
    $: '\\$',
    '#': '\\#',
    _: '\\_',
    '{': '\\{',
    '}': '\\}',
    '~': '\\textasciitilde{}',
    '^': '\\textasciicircum{}',
  };
  return text.replace(/[\\&%$#_{}~^]/g, (char) => replacements[char]!);
}

/**
 * Renders the table as JSON (the {@link AblationTable} object), with `date` on a line of its own.
 *
 * @example
 * writeFileSync('ablation.json', formatAblationJson(table));
 */
export function formatAblationJson(table: AblationTable): string {
  return `${JSON.stringify(table, null, 2)}\n`;
}
