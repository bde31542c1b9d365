/**
 * Typed errors that every d2ue package throws at a user.
 *
 * A message names the offender (file, config path or value), what is wrong and what to do. The fields repeat
 * the parts of the message as data, so a CLI or a test can react without parsing text.
 */

/** The kind of failure, as a stable id a caller can switch on. */
export type D2ueErrorCode =
  | 'config'
  | 'data'
  | 'shape'
  | 'plugin'
  | 'backend'
  | 'run'
  | 'io';

/** An error meant for a user of d2ue: its message is complete and needs no stack trace to act on. */
export class D2ueError extends Error {
  readonly code: D2ueErrorCode;

  /** The file, config path or value the error is about, when there is one. */
  readonly subject: string | undefined;

  constructor(code: D2ueErrorCode, message: string, options: { subject?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'D2ueError';
    this.code = code;
    this.subject = options.subject;
  }
}

/** Formats a value for an error message: JSON where possible, so strings show their quotes. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Throws a `shape` error unless `actual` equals `expected`; -1 in `expected` matches any size. */
export function assertShape(unit: string, what: string, actual: readonly number[], expected: readonly number[]): void {
  const matches =
    actual.length === expected.length && expected.every((size, axis) => size === -1 || size === actual[axis]);
  if (!matches) {
    const wanted = expected.map((size) => (size === -1 ? '*' : String(size))).join(', ');
    throw new D2ueError(
      'shape',
      `${unit}: expected ${what} of rank ${expected.length} and shape [${wanted}], got rank ${actual.length} and shape ${describeValue(actual)}.`,
      { subject: what },
    );
  }
}
