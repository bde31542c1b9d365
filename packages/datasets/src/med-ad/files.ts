import { stat } from 'node:fs/promises';
import path from 'node:path';

import { D2ueError } from '@d2ue/core';

import { runConcurrently } from '../concurrency.js';

// Enough parallel stat calls to hide disk latency without exhausting file handles.
const STAT_CONCURRENCY = 64;

/**
 * Checks that `root/images` is a folder and contains a file for every name.
 *
 * @example
 * await checkImageFiles('/data/rsna', ['a.png', 'b.png']);
 * @throws D2ueError `data` naming the folder, or the count and the first 5 names without a file.
 */
export async function checkImageFiles(root: string, names: readonly string[]): Promise<void> {
  const folder = path.join(root, 'images');

  const isFolder = await stat(folder).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isFolder) {
    throw new D2ueError(
      'data',
      `${folder} not found or not a folder. A Med-AD folder keeps its images in images/ next to data.json.`,
      { subject: folder },
    );
  }

  const missing: string[] = [];
  const failures = await runConcurrently(names.length, STAT_CONCURRENCY, async (index) => {
    const name = names[index]!;
    const exists = await stat(path.join(folder, name)).then(
      (info) => info.isFile(),
      () => false,
    );
    if (!exists) missing.push(name);
  });
  if (failures.length > 0) throw failures[0]!.error;

  if (missing.length > 0) {
    // Sort by list position so the message does not depend on which stat call finished first.
    const order = new Map(names.map((name, index) => [name, index]));
    missing.sort((a, b) => order.get(a)! - order.get(b)!);
    const firstFive = missing
      .slice(0, 5)
      .map((name) => `"${name}"`)
      .join(', ');
    throw new D2ueError(
      'data',
      `${path.join(root, 'data.json')} lists ${missing.length} image(s) with no file in ${folder}: ${firstFive}` +
        `${missing.length > 5 ? ', …' : ''}. Add the files or remove their names from data.json.`,
      { subject: folder },
    );
  }
}
