import { D2ueError } from '../errors.js';

/**
 * The rules of the conformance kit. Each is checked by one `check…` function, and each test of a `describe…`
 * wrapper is named `rule: <rule>`, so a failing test says which promise of the plug-in contract is broken.
 */
export const CONFORMANCE_RULES = [
  'options schema',
  'registration under its token',
  'matching id',
  'output shapes and dtypes',
  'determinism under a seed',
  'no tensor leaks',
  'finite values and gradients on edge inputs',
  'save and load round trip',
  'strict state dict',
  'zero without seniors',
  'mean over seniors',
  'minimum batch size',
  'minimum members',
  'pixel maps on request',
  'image score is the pixel-map mean',
  'batch independence',
  'valid Med-AD folder',
  'reuse of a built folder',
] as const;

/** One of {@link CONFORMANCE_RULES}. */
export type ConformanceRule = (typeof CONFORMANCE_RULES)[number];

/**
 * A plug-in broke a rule of its contract. The message starts with `rule: <rule>` and names the plug-in
 * (`backbone "AE"`), then says what was expected and what was found.
 *
 * @example
 * try {
 *   checkBackboneLeaks(myBackbone, { options: {} });
 * } catch (error) {
 *   if (error instanceof ConformanceError) console.log(error.rule); // 'no tensor leaks'
 * }
 */
export class ConformanceError extends D2ueError {
  /** The broken rule. */
  readonly rule: ConformanceRule;

  constructor(rule: ConformanceRule, plugin: string, detail: string, options: { cause?: unknown } = {}) {
    super('plugin', `rule: ${rule} — ${plugin}: ${detail}`, { subject: plugin, cause: options.cause });
    this.name = 'ConformanceError';
    this.rule = rule;
  }
}

/**
 * Runs `body` and re-throws anything but a {@link ConformanceError} as one for `rule`, so an exception inside a
 * plug-in (a shape error, a NaN guard) still names the rule it broke.
 *
 * @throws ConformanceError for `rule` when `body` throws.
 */
export function underRule<T>(rule: ConformanceRule, plugin: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof ConformanceError) throw error;
    throw new ConformanceError(rule, plugin, `threw ${describeThrown(error)}`, { cause: error });
  }
}

/** Async form of {@link underRule}. */
export async function underRuleAsync<T>(rule: ConformanceRule, plugin: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof ConformanceError) throw error;
    throw new ConformanceError(rule, plugin, `threw ${describeThrown(error)}`, { cause: error });
  }
}

/** Formats a thrown value as its class name and the first line of its message. */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  return String(error);
}
