/**
 * d2ue-example-scorer: a third-party d2ue scorer, `scorer:max-error`. Add the package name to a config's
 * `plugins` list and `max-error` to its `scorers`.
 *
 * @module
 */
import { registerDescriptors, type RegisterPlugins } from '@d2ue/core';

import { maxErrorScorer } from './descriptor.js';

export { maxErrorScorer } from './descriptor.js';
export { MaxErrorScorer } from './max-error.js';
export { MaxErrorOptionsSchema, type MaxErrorOptions, type MaxErrorOptionsInput } from './options.js';

/**
 * Registers `scorer:max-error`; d2ue calls it when the package is in a config's `plugins` list.
 *
 * @example
 * const container = await loadPlugins([...DEFAULT_PLUGINS, 'd2ue-example-scorer']);
 * @throws D2ueError `plugin` when `scorer:max-error` is already registered in the container.
 */
export const register: RegisterPlugins = (container) => {
  registerDescriptors(container, [maxErrorScorer]);
};
