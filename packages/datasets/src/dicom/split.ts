import { createRng, D2ueError, permutation } from '@d2ue/core';

/** An image to place in a split. */
export interface SplitItem {
  readonly name: string;
  readonly label: 0 | 1;

  /** The split the labels CSV gave, if any. */
  readonly split?: 'train' | 'test';

  /** The patient, or null when unknown (the image is then its own group). */
  readonly patient: string | null;
}

/** The three lists of a Med-AD data.json. */
export interface SplitLists {
  readonly train: string[];
  readonly testNormal: string[];
  readonly testAbnormal: string[];
}

/**
 * Puts images into `train.0`, `test.0` and `test.1`. Abnormal images go to `test.1`. Normal images with a split
 * from the CSV keep it. The other normal images are split by patient, so no patient ends up on both sides:
 * the normal images of patients who have an abnormal image go to `test.0`, then whole patients, in a seeded
 * random order, until `test.0` holds at least `testNormal` images; the rest train.
 *
 * `testNormal` defaults to the number of abnormal images (a balanced test split, as the Med-AD benchmarks
 * have), at most half the normal images.
 *
 * @example
 * const lists = splitByPatient(items, { seed: '1' });
 * @throws D2ueError `data` when no normal image is left for training.
 */
export function splitByPatient(items: readonly SplitItem[], options: { seed: string; testNormal?: number }): SplitLists {
  const lists: SplitLists = { train: [], testNormal: [], testAbnormal: [] };
  const free = new Map<string, string[]>();
  const abnormalPatients = new Set<string>();

  for (const item of items) {
    if (item.label === 1) {
      lists.testAbnormal.push(item.name);
      if (item.patient !== null) abnormalPatients.add(item.patient);
    }
  }
  for (const item of items) {
    if (item.label === 1) continue;
    if (item.split === 'train') lists.train.push(item.name);
    else if (item.split === 'test') lists.testNormal.push(item.name);
    else {
      const key = item.patient === null ? `\0file:${item.name}` : item.patient;
      if (abnormalPatients.has(key)) lists.testNormal.push(item.name);
      else free.set(key, [...(free.get(key) ?? []), item.name]);
    }
  }

  const normals = items.filter((item) => item.label === 0).length;
  const target = options.testNormal ?? Math.min(lists.testAbnormal.length, Math.floor(normals / 2));

  // Sort first so the order (and so the split) depends only on the seed, not on the file system's listing.
  const keys = [...free.keys()].sort();
  const order = permutation(keys.length, createRng(`${options.seed}/prepare/split`));
  for (const index of order) {
    const names = free.get(keys[index]!)!;
    if (lists.testNormal.length < target) lists.testNormal.push(...names);
    else lists.train.push(...names);
  }

  if (lists.train.length === 0) {
    throw new D2ueError(
      'data',
      `no normal image is left for training: ${normals} normal image(s), ${lists.testNormal.length} of them in the test ` +
        `split. Label more images normal (0), or ask for fewer normal test images.`,
      { subject: 'train.0' },
    );
  }
  for (const list of [lists.train, lists.testNormal, lists.testAbnormal]) list.sort();
  return lists;
}
