import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { z } from 'zod';

import { D2ueError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';

/** One trained learner as the manifest lists it. */
export const ManifestMemberSchema = z.strictObject({
  index: z.int().min(0),

  // Seeds of its initialisation and its shuffling stream.
  seeds: z.strictObject({ init: z.string(), shuffle: z.string() }),

  // The final weights, relative to the run folder, and their SHA-256.
  weights: z.string(),
  sha256: z.string().length(64),
});

/**
 * `manifest.json`: what a run is. The evaluator trusts only this file: it loads exactly the members listed here,
 * never whatever else lies in the folder (the official code loads every checkpoint it finds).
 */
export const ManifestSchema = z.strictObject({
  format: z.literal('d2ue-run/1'),
  createdAt: z.string(),

  // The resolved config (defaults filled in, plug-in options validated).
  config: z.record(z.string(), z.unknown()),
  backend: z.string(),
  versions: z.record(z.string(), z.string()),
  data: z.strictObject({
    root: z.string(),

    // SHA-256 of data.json, the split file.
    splitSha256: z.string(),
    train: z.int(),
    test: z.int(),
  }),
  members: z.array(ManifestMemberSchema),

  // When `d2ue train --resume` continued the run, once per resume.
  resumedAt: z.array(z.string()).optional(),
});

/** A run's `manifest.json`, as {@link ManifestSchema} reads it. */
export type Manifest = z.infer<typeof ManifestSchema>;
/** One member's entry in the manifest. */
export type ManifestMember = z.infer<typeof ManifestMemberSchema>;

/** The manifest's file name inside a run folder. */
export const MANIFEST_FILE = 'manifest.json';

/** Writes `manifest.json` atomically. */
export function writeManifest(runDir: string, manifest: Manifest): void {
  writeFileAtomic(join(runDir, MANIFEST_FILE), `${JSON.stringify(ManifestSchema.parse(manifest), null, 2)}\n`);
}

/** Reads and validates `manifest.json`; errors name the file and the bad field. */
export function readManifest(runDir: string): Manifest {
  const file = join(runDir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new D2ueError('run', `${file} not found: ${runDir} is not a d2ue run folder (run "d2ue train" first).`, { subject: file });
  }

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new D2ueError('run', `${file}: not valid JSON (${(error as Error).message}).`, { subject: file });
  }

  const result = ManifestSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new D2ueError('run', `${file}: field "${issue.path.join('.')}": ${issue.message}.`, { subject: file });
  }
  return result.data;
}
