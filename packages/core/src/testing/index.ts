/**
 * `@d2ue/core/testing`: the conformance kit a plug-in package runs in its own tests. Each rule of a plug-in
 * contract is a plain `check…` function that throws a {@link ConformanceError} naming the rule, and each
 * `describe…Conformance` wrapper declares one vitest test per rule (`rule: no tensor leaks`, …).
 *
 * vitest is an optional peer dependency of @d2ue/core: install it in the package that imports this module.
 *
 * @example
 * import { describeBackboneConformance, expectRegistered } from '@d2ue/core/testing';
 * import { register, tinyAeBackbone } from 'my-d2ue-backbone';
 *
 * describeBackboneConformance(tinyAeBackbone, { options: { imageSize: 32 }, register });
 *
 * @module
 */
import type { RegisterPlugins } from '../container.js';
import type { PluginMeta } from '../plugin.js';
import type { PluginKind } from '../tokens.js';
import { checkRegistered } from './shared.js';

export { CONFORMANCE_RULES, ConformanceError, describeThrown, underRule, underRuleAsync, type ConformanceRule } from './conformance-error.js';
export {
  UNKNOWN_OPTION,
  checkOptionsSchema,
  checkRegistered,
  disposeAll,
  edgeMatrices,
  expectClose,
  expectFinite,
  expectNoLeak,
  expectShape,
  maxAbsDifference,
  pluginLabel,
  randomImages,
  seededValues,
} from './shared.js';
export * from './backbone.js';
export * from './repulsion.js';
export * from './scorer.js';
export * from './dataset.js';

/**
 * Asserts that `register` adds the plug-in `<kind>:<id>` to a fresh container (rule `registration under its
 * token`) and returns its descriptor.
 *
 * @example
 * it('registers tiny-ae', () => {
 *   expectRegistered(register, 'backbone', 'tiny-ae');
 * });
 * @throws ConformanceError naming the rule when the token is missing or resolves to another plug-in.
 */
export function expectRegistered(register: RegisterPlugins, kind: PluginKind, id: string): PluginMeta<PluginKind, import('zod').ZodType> {
  return checkRegistered(register, kind, id);
}
