import { registerDescriptors, type PluginDescriptor } from '@d2ue/core';
import type { DependencyContainer } from 'tsyringe';

import { aeBackbone } from './ae/descriptor.js';
import { aeUBackbone } from './aeu/descriptor.js';
import { memAeBackbone } from './memae/descriptor.js';

/** Every backbone this package provides. */
export const backbones: readonly PluginDescriptor[] = [aeBackbone, memAeBackbone, aeUBackbone];

/** Registers the backbones as `backbone:<id>`. */
export function register(container: DependencyContainer): void {
  registerDescriptors(container, backbones);
}
