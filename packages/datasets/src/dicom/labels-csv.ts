import { readFile } from 'node:fs/promises';

import { D2ueError } from '@d2ue/core';

/** One row of a labels CSV. */
export interface LabelRow {
  /** The file id: a path relative to the input folder, with or without its extension. */
  readonly id: string;

  /** 0 normal, 1 abnormal. */
  readonly label: 0 | 1;

  /** The split the row asks for, when the CSV has a split column. */
  readonly split?: 'train' | 'test';

  /** 1-based line number in the CSV, for messages. */
  readonly line: number;
}

/** The column names of a labels CSV. */
export interface LabelColumns {
  readonly id: string;
  readonly label: string;

  /** Optional: used when the header has it. */
  readonly split: string;
}

/**
 * Reads a labels CSV: a header row, then one row per image with its id and label (0 or 1, or `normal` /
 * `abnormal`), and optionally its split (`train` or `test`). Fields may be double-quoted (RFC 4180).
 *
 * @example
 * const rows = await readLabels('labels.csv', { id: 'id', label: 'label', split: 'split' });
 * @throws D2ueError `data` naming the file and line for a missing column, an empty id, an id listed twice, a label
 * or split outside the allowed values, or an abnormal image in the train split.
 */
export async function readLabels(file: string, columns: LabelColumns): Promise<LabelRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new D2ueError('data', `${file}: cannot read the labels CSV (${(error as Error).message}).`, { subject: file, cause: error });
  }

  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = parseCsvLine(lines[0] ?? '').map((name) => name.trim());
  const column = (name: string, required: boolean): number => {
    const index = header.indexOf(name);
    if (index < 0 && required) {
      throw new D2ueError(
        'data',
        `${file}: the header has no "${name}" column (found ${header.map((h) => `"${h}"`).join(', ')}). ` +
          `Name the columns in the first line, or pass the column name as an option.`,
        { subject: `${file}:1` },
      );
    }
    return index;
  };
  const idAt = column(columns.id, true);
  const labelAt = column(columns.label, true);
  const splitAt = column(columns.split, false);

  const rows: LabelRow[] = [];
  const seen = new Map<string, number>();
  for (let index = 1; index < lines.length; index++) {
    if (lines[index]!.trim() === '') continue;
    const line = index + 1;
    const fields = parseCsvLine(lines[index]!).map((field) => field.trim());
    const where = `${file}:${line}`;

    const id = fields[idAt] ?? '';
    if (id === '') throw new D2ueError('data', `${where}: the "${columns.id}" field is empty.`, { subject: where });
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new D2ueError('data', `${where}: id "${id}" is listed again (first on line ${earlier}). Keep one row per image.`, {
        subject: where,
      });
    }
    seen.set(id, line);

    const label = parseLabel(fields[labelAt] ?? '');
    if (label === null) {
      throw new D2ueError(
        'data',
        `${where}: label ${JSON.stringify(fields[labelAt] ?? '')} for "${id}" is not 0, 1, "normal" or "abnormal".`,
        { subject: where },
      );
    }

    const splitText = splitAt >= 0 ? (fields[splitAt] ?? '').toLowerCase() : '';
    if (splitText !== '' && splitText !== 'train' && splitText !== 'test') {
      throw new D2ueError('data', `${where}: split ${JSON.stringify(fields[splitAt])} for "${id}" is not "train" or "test".`, {
        subject: where,
      });
    }
    if (splitText === 'train' && label === 1) {
      throw new D2ueError(
        'data',
        `${where}: "${id}" is abnormal (label 1) but in the train split; D2UE trains on normal images only. ` +
          `Move it to the test split.`,
        { subject: where },
      );
    }

    rows.push({ id, label, line, ...(splitText === '' ? {} : { split: splitText as 'train' | 'test' }) });
  }

  if (rows.length === 0) throw new D2ueError('data', `${file}: the labels CSV has no rows after its header.`, { subject: file });
  return rows;
}

function parseLabel(text: string): 0 | 1 | null {
  const lower = text.toLowerCase();
  if (lower === '0' || lower === 'normal') return 0;
  if (lower === '1' || lower === 'abnormal') return 1;
  return null;
}

/**
 * Splits one CSV line into fields: commas separate, double quotes enclose a field, `""` inside quotes is a quote.
 *
 * @example
 * parseCsvLine('a,"b,c","d""e"'); // ['a', 'b,c', 'd"e']
 */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  fields.push(field);
  return fields;
}
