import { registerDescriptors, type RegisterPlugins } from '@d2ue/core';

import { medAdLoader } from './med-ad/descriptor.js';
import { mnistBuilder } from './mnist/descriptor.js';

/**
 * Registers the plug-ins of @d2ue/datasets: `loader:med-ad` and `dataset:mnist`.
 *
 * @example
 * register(createContainer());
 * @throws D2ueError `plugin` when one of these tokens is already registered in the container.
 */
export const register: RegisterPlugins = (container) => {
  registerDescriptors(container, [medAdLoader, mnistBuilder]);
};
