/**
 * d2ue-example-repulsion: a third-party d2ue plug-in package. It adds the `orthogonality` repulsion term and is
 * loaded only by naming it in a config's `plugins` list; d2ue then imports it and calls `register(container)`.
 */
import { registerDescriptors, type RegisterPlugins } from '@d2ue/core';

import { orthogonalityRepulsion } from './descriptor.js';

export { orthogonalityRepulsion } from './descriptor.js';
export { OrthogonalityOptionsSchema, type OrthogonalityOptions } from './options.js';
export { COLUMN_EPSILON, Orthogonality, meanSquaredColumnCosine } from './orthogonality.js';

/** Registers `repulsion:orthogonality` in the container d2ue passes. */
export const register: RegisterPlugins = (container) => {
  registerDescriptors(container, [orthogonalityRepulsion]);
};
