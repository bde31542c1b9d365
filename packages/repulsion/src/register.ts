import { registerDescriptors, type PluginDescriptor } from '@d2ue/core';
import type { DependencyContainer } from 'tsyringe';

import { cosineRepulsion } from './cosine/descriptor.js';
import { kernelCkaRepulsion } from './kernel-cka/descriptor.js';
import { l2Repulsion } from './l2/descriptor.js';
import { negativeCorrelationRepulsion } from './negative-correlation/descriptor.js';
import { noneRepulsion } from './none/descriptor.js';
import { rarRepulsion } from './rar/descriptor.js';

/** Every repulsion term this package provides. */
export const repulsionTerms: readonly PluginDescriptor[] = [
  rarRepulsion,
  noneRepulsion,
  kernelCkaRepulsion,
  cosineRepulsion,
  l2Repulsion,
  negativeCorrelationRepulsion,
];

/** Registers the repulsion terms as `repulsion:<id>`. */
export function register(container: DependencyContainer): void {
  registerDescriptors(container, repulsionTerms);
}
