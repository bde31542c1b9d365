/**
 * d2ue-example-backbone: a third-party d2ue backbone, `backbone:tiny-ae`. Add the package name to a config's
 * `plugins` list and set `backbone: { name: tiny-ae }`.
 *
 * @module
 */
import { registerDescriptors, type RegisterPlugins } from '@d2ue/core';

import { tinyAeBackbone } from './descriptor.js';

export { tinyAeBackbone } from './descriptor.js';
export { TinyAe } from './tiny-ae.js';
export { TinyAeOptionsSchema, type TinyAeOptions, type TinyAeOptionsInput } from './options.js';

/**
 * Registers `backbone:tiny-ae`; d2ue calls it when the package is in a config's `plugins` list.
 *
 * @example
 * const container = await loadPlugins([...DEFAULT_PLUGINS, 'd2ue-example-backbone']);
 * @throws D2ueError `plugin` when `backbone:tiny-ae` is already registered in the container.
 */
export const register: RegisterPlugins = (container) => {
  registerDescriptors(container, [tinyAeBackbone]);
};
