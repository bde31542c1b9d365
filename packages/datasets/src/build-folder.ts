import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { D2ueError, type BuiltDataset } from '@d2ue/core';

/** The name of the record a builder leaves in a finished folder. */
export const BUILD_RECORD = 'builder.json';

/** The content of `builder.json`: the builder id, its settings, and the image count of each split. */
interface BuildRecord {
  readonly builder: string;
  readonly settings: unknown;
  readonly counts: BuiltDataset['counts'];
}

/**
 * Builds a Med-AD folder at `root` so that it is complete or absent: `write` fills a temporary folder next to
 * `root`, `builder.json` is written last, and the folder is renamed into place. A `root` whose `builder.json`
 * records the same builder and settings is reused as it is; one built by this builder with other settings is
 * replaced.
 *
 * NOTE: a process killed mid-build leaves its hidden `.<name>.partial-*` folder next to `root`; it is never read,
 * and can be deleted. Two processes building the same `root` at once are not coordinated.
 *
 * @example
 * await buildFolderAtomically('/data/mnist0', 'mnist', { options, imageSize, seed }, writeMnist);
 * @throws D2ueError `io` when `root` exists but was not made by this builder (it is never deleted), or a file
 * operation fails.
 */
export async function buildFolderAtomically(
  root: string,
  builder: string,
  settings: unknown,
  write: (folder: string) => Promise<BuiltDataset['counts']>,
): Promise<BuiltDataset> {
  const target = path.resolve(root);
  const existing = await inspectTarget(target, builder);

  // Settings go through JSON before comparing so that they match the copy read back from builder.json.
  const requested = JSON.parse(JSON.stringify(settings)) as unknown;
  if (existing.kind === 'record' && isDeepStrictEqual(existing.record.settings, requested)) {
    return { root: target, counts: existing.record.counts };
  }

  const parent = path.dirname(target);
  const partial = await ioStep(target, 'create a temporary folder next to it', async () => {
    await mkdir(parent, { recursive: true });
    return mkdtemp(path.join(parent, `.${path.basename(target)}.partial-`));
  });

  try {
    const counts = await write(partial);
    const record: BuildRecord = { builder, settings: requested, counts };
    await writeFile(path.join(partial, BUILD_RECORD), `${JSON.stringify(record, null, 2)}\n`);

    await ioStep(target, 'move the finished folder into place', async () => {
      if (existing.kind !== 'absent') {
        const old = `${partial}-replaced`;
        await rename(target, old);
        await rename(partial, target);
        await rm(old, { recursive: true, force: true });
      } else {
        await rename(partial, target);
      }
    });

    return { root: target, counts };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

type TargetState = { kind: 'absent' } | { kind: 'empty' } | { kind: 'record'; record: BuildRecord };

/** Classifies `target`: absent, an empty folder, or a folder with this builder's record; anything else throws. */
async function inspectTarget(target: string, builder: string): Promise<TargetState> {
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'absent' };
    throw new D2ueError(
      'io',
      `${target} exists but is not a readable folder (${(error as Error).message}). Choose another dataset folder.`,
      { subject: target, cause: error },
    );
  }
  if (entries.length === 0) return { kind: 'empty' };

  const record = await readRecord(path.join(target, BUILD_RECORD));
  if (record === null || record.builder !== builder) {
    throw new D2ueError(
      'io',
      `${target} already exists and was not built by the "${builder}" dataset builder (no matching ${BUILD_RECORD}). ` +
        `d2ue does not overwrite it; choose another folder or delete this one.`,
      { subject: target },
    );
  }
  return { kind: 'record', record };
}

async function readRecord(file: string): Promise<BuildRecord | null> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<BuildRecord>;
    if (typeof parsed.builder !== 'string' || typeof parsed.counts !== 'object' || parsed.counts === null) return null;
    return parsed as BuildRecord;
  } catch {
    return null;
  }
}

async function ioStep<T>(target: string, what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new D2ueError(
      'io',
      `${target}: failed to ${what} (${(error as Error).message}). Check that the parent folder is writable.`,
      { subject: target, cause: error },
    );
  }
}
