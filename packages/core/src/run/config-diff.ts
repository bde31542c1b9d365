/** One place where two JSON values differ. */
export interface Difference {
  /** Dotted path, e.g. `training.epochs`; empty for the root. */
  readonly path: string;
  readonly left: unknown;
  readonly right: unknown;
}

/**
 * Finds the first path (in sorted key order) where two JSON-like values differ, or returns undefined when they are
 * equal. Paths in `ignore` and everything below them are skipped. A rejected resume names this path.
 */
export function firstDifference(left: unknown, right: unknown, ignore: readonly string[] = [], path = ''): Difference | undefined {
  if (ignore.includes(path)) return undefined;

  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
  if (!isObject(left) || !isObject(right) || Array.isArray(left) !== Array.isArray(right)) {
    return Object.is(left, right) ? undefined : { path, left, right };
  }

  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
  for (const key of keys) {
    const found = firstDifference(left[key], right[key], ignore, path === '' ? key : `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
