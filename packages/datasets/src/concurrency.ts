/** The outcome of one failed task of {@link runConcurrently}. */
export interface TaskFailure {
  readonly index: number;
  readonly error: unknown;
}

/**
 * Runs `task(0) … task(count - 1)` with at most `limit` in flight and waits for all of them, so one bad input does
 * not hide the others. Returns the failures sorted by index (empty when all succeeded).
 *
 * @example
 * const failures = await runConcurrently(files.length, 8, async (i) => { sizes[i] = (await stat(files[i])).size; });
 */
export async function runConcurrently(
  count: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<TaskFailure[]> {
  const failures: TaskFailure[] = [];
  let next = 0;

  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failures.push({ index, error });
      }
    }
  };

  const workers = Array.from({ length: Math.min(limit, count) }, () => worker());
  await Promise.all(workers);

  return failures.sort((a, b) => a.index - b.index);
}
