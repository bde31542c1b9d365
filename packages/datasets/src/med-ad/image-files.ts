import { stat } from 'node:fs/promises';
import path from 'node:path';

import { D2ueError, type ImageSet } from '@d2ue/core';

import { loadImageSet } from './image-set.js';

/**
 * Decodes single image files (outside any Med-AD split) exactly as the loader decodes a folder's images: grey,
 * bilinear resize with antialiasing to `size` x `size`, scaled to [-1, 1]. Ids are the paths as given; labels are
 * all 0 because a new image has no known label.
 *
 * @example
 * const set = await loadImageFiles(['scan.png'], 64);
 * @throws D2ueError `data` when the list is empty, a path is not a file (naming every such path), or a file fails to
 * decode.
 */
export async function loadImageFiles(
  files: readonly string[],
  size: number,
  intensityRange?: readonly [number, number],
): Promise<ImageSet> {
  if (files.length === 0) {
    throw new D2ueError('data', 'no image files given; pass one or more PNG or JPEG paths.', { subject: 'images' });
  }

  const absolute = files.map((file) => path.resolve(file));
  const missing: string[] = [];
  for (const [index, file] of absolute.entries()) {
    const isFile = await stat(file).then(
      (info) => info.isFile(),
      () => false,
    );
    if (!isFile) missing.push(files[index]!);
  }
  if (missing.length > 0) {
    throw new D2ueError(
      'data',
      `${missing.length} image path(s) are not readable files: ${missing.map((file) => `"${file}"`).join(', ')}. ` +
        'Check the paths; d2ue reads PNG and JPEG files.',
      { subject: missing[0]! },
    );
  }

  // Absolute names joined to the root folder stay absolute, so the Med-AD decode path serves single files too.
  const set = await loadImageSet(path.parse(absolute[0]!).root, absolute, new Uint8Array(files.length), size, intensityRange);
  return { ...set, ids: [...files] };
}
