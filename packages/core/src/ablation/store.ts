import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import { writeFileAtomic } from '../io/atomic.js';

/** The metrics a table shows per scorer, in column order: id in the stored outcome → column header. */
export const ABLATION_METRICS = [
  { id: 'auroc', label: 'AUROC' },
  { id: 'averagePrecision', label: 'AP' },
] as const;

/** A metric id of {@link ABLATION_METRICS}. */
export type AblationMetric = (typeof ABLATION_METRICS)[number]['id'];

/** One scorer's finished result in one cell: its metrics, or why the scorer does not apply. */
export const StoredOutcomeSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('ok'), auroc: z.number(), averagePrecision: z.number() }),
  z.strictObject({ status: z.literal('n/a'), reason: z.string() }),
]);

/** One scorer's stored result in a cell: AUROC and AP, or the reason it does not apply. */
export type StoredOutcome = z.infer<typeof StoredOutcomeSchema>;

/**
 * `cells/<run key>.k<k>.json`: the finished scorers of one cell (a trained run evaluated with its first k members).
 * Only finished results are stored; failures are retried on the next run.
 */
export const CellRecordSchema = z.strictObject({
  format: z.literal('d2ue-ablation-cell/1'),
  run: z.string(),
  ensembleSize: z.int().min(1),

  // SHA-256 of the k members the results come from; a retrained run with other weights invalidates them.
  members: z.array(z.string()),

  // The backend the members were trained on and the versions that trained them (the run's manifest).
  backend: z.string(),
  versions: z.record(z.string(), z.string()),

  // Scorer key (see scorerKey) → result.
  results: z.record(z.string(), StoredOutcomeSchema),
});

/** The content of one `cells/<run key>.k<k>.json` file. */
export type CellRecord = z.infer<typeof CellRecordSchema>;

/** Returns the file of the cell of run `run` evaluated with `k` members. */
export function cellFile(out: string, run: string, k: number): string {
  return join(out, 'cells', `${run}.k${k}.json`);
}

/**
 * Reads a cell's record; a missing, unreadable or invalid file reads as "nothing finished", so the cell runs again.
 */
export function readCell(out: string, run: string, k: number): CellRecord | undefined {
  const file = cellFile(out, run, k);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = CellRecordSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // NOTE: a damaged record costs one re-evaluation of the cell, never a wrong table entry.
    return undefined;
  }
}

/** Writes a cell's record atomically, so a crash keeps the previous complete record. */
export function writeCell(out: string, record: CellRecord): void {
  mkdirSync(join(out, 'cells'), { recursive: true });
  writeFileAtomic(cellFile(out, record.run, record.ensembleSize), `${JSON.stringify(CellRecordSchema.parse(record), null, 2)}\n`);
}
