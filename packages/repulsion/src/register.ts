import { registerDescriptors, type PluginDescriptor } from '@d2ue/core';
import type { DependencyContainer } from 'tsyringe';

import { noneRepulsion } from './none/none.js';
import { rarRepulsion } from './rar/descriptor.js';

/** Every repulsion term this package provides. */
export const repulsionTerms: readonly PluginDescriptor[] = [rarRepulsion, noneRepulsion];

/** Registers the repulsion terms as `repulsion:<id>`. */
export function register(container: DependencyContainer): void {
  registerDescriptors(container, repulsionTerms);
}
