import { registerDescriptors, type PluginDescriptor } from '@d2ue/core';
import type { DependencyContainer } from 'tsyringe';

import { dsuScorer } from './dsu/dsu.js';
import { outputScorer } from './output/output.js';
import { reconstructionScorer } from './reconstruction/reconstruction.js';

/** Every scorer this package provides. */
export const scorers: readonly PluginDescriptor[] = [reconstructionScorer, outputScorer, dsuScorer];

/** Registers the scorers as `scorer:<id>`. */
export function register(container: DependencyContainer): void {
  registerDescriptors(container, scorers);
}
