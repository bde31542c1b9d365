import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { D2ueError, describeValue } from '@d2ue/core';

/** The image names of a Med-AD `data.json`, per split. */
export interface MedAdSplits {
  /** `train.0`: normal training images. */
  readonly train: readonly string[];

  /** `test.0`: normal test images. */
  readonly testNormal: readonly string[];

  /** `test.1`: abnormal test images. */
  readonly testAbnormal: readonly string[];
}

// Keys the Med-AD benchmark writes inside "train" and "test"; `train.unlabeled` is read by semi-supervised
// methods only, so d2ue skips it.
const TRAIN_KEYS = new Set(['0', 'unlabeled']);
const TEST_KEYS = new Set(['0', '1']);

/**
 * Reads and checks `root/data.json`: its structure, and that every image name is a relative path inside
 * `root/images` listed in one split only, with a non-empty `train.0`.
 *
 * @example
 * const { train, testNormal, testAbnormal } = await readSplits('/data/rsna');
 * @throws D2ueError `data` when the file is missing, is not JSON, or breaks one of the rules above.
 */
export async function readSplits(root: string): Promise<MedAdSplits> {
  const file = path.join(root, 'data.json');

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new D2ueError(
      'data',
      missing
        ? `${file} not found. A Med-AD folder needs data.json listing its splits: ` +
            `{"train": {"0": [names]}, "test": {"0": [names], "1": [names]}}.`
        : `${file}: cannot read the file (${(error as Error).message}). Check its permissions.`,
      { subject: file, cause: error },
    );
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new D2ueError('data', `${file}: invalid JSON (${(error as Error).message}). Fix the syntax of the file.`, {
      subject: file,
      cause: error,
    });
  }

  const top = expectObject(json, file, 'the top level');
  const train = expectObject(top['train'], file, '"train"');
  const test = expectObject(top['test'], file, '"test"');
  rejectUnknownKeys(train, TRAIN_KEYS, file, 'train');
  rejectUnknownKeys(test, TEST_KEYS, file, 'test');

  const splits: MedAdSplits = {
    train: expectNames(train['0'], file, 'train.0'),
    testNormal: expectNames(test['0'], file, 'test.0'),
    testAbnormal: expectNames(test['1'], file, 'test.1'),
  };

  if (splits.train.length === 0) {
    throw new D2ueError(
      'data',
      `${file}: "train.0" is empty. Training needs normal images; list their file names in "train.0".`,
      { subject: `${file}:train.0` },
    );
  }
  rejectRepeatedNames(splits, file);

  return splits;
}

function expectObject(value: unknown, file: string, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const found = value === undefined ? 'missing' : `${describeValue(value).slice(0, 60)}`;
    throw new D2ueError(
      'data',
      `${file}: ${field} must be an object (found ${found}). Expected ` +
        `{"train": {"0": [names]}, "test": {"0": [names], "1": [names]}}.`,
      { subject: `${file}:${field}` },
    );
  }
  return value as Record<string, unknown>;
}

function rejectUnknownKeys(object: Record<string, unknown>, allowed: Set<string>, file: string, field: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.has(key)) {
      throw new D2ueError(
        'data',
        `${file}: unknown key "${field}.${key}"; "${field}" may contain ${[...allowed].map((k) => `"${k}"`).join(' and ')}. ` +
          `Remove or rename the key.`,
        { subject: `${file}:${field}.${key}` },
      );
    }
  }
}

function expectNames(value: unknown, file: string, field: string): string[] {
  if (!Array.isArray(value)) {
    const found = value === undefined ? 'missing' : describeValue(value).slice(0, 60);
    throw new D2ueError('data', `${file}: "${field}" must be an array of file names (found ${found}).`, {
      subject: `${file}:${field}`,
    });
  }

  value.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || name.length === 0) {
      throw new D2ueError(
        'data',
        `${file}: "${field}[${index}]" must be a non-empty file name string, found ${describeValue(name)}.`,
        { subject: `${file}:${field}[${index}]` },
      );
    }
    if (escapesFolder(name)) {
      throw new D2ueError(
        'data',
        `${file}: "${field}[${index}]" is ${describeValue(name)}, which points outside the images folder. ` +
          `Names are paths relative to images/ and may not be absolute or contain "..".`,
        { subject: `${file}:${field}[${index}]` },
      );
    }
  });

  return value as string[];
}

/** True for an absolute name or one that `..` segments lead out of the folder it is resolved in. */
function escapesFolder(name: string): boolean {
  if (path.isAbsolute(name) || path.win32.isAbsolute(name)) return true;
  const normalised = path.posix.normalize(name.replaceAll('\\', '/'));
  return normalised === '..' || normalised.startsWith('../');
}

/** Rejects a name listed twice, within one split or across splits: its label and split would be ambiguous. */
function rejectRepeatedNames(splits: MedAdSplits, file: string): void {
  const seen = new Map<string, string>();
  const lists: [string, readonly string[]][] = [
    ['train.0', splits.train],
    ['test.0', splits.testNormal],
    ['test.1', splits.testAbnormal],
  ];

  for (const [field, names] of lists) {
    for (const name of names) {
      const key = path.posix.normalize(name);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        const where = earlier === field ? `twice in "${field}"` : `in both "${earlier}" and "${field}"`;
        throw new D2ueError(
          'data',
          `${file}: image "${name}" is listed ${where}. Each image belongs to exactly one split; remove the repeat.`,
          { subject: `${file}:${field}` },
        );
      }
      seen.set(key, field);
    }
  }
}
