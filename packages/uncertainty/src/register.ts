import { registerDescriptors, type PluginDescriptor } from '@d2ue/core';
import type { DependencyContainer } from 'tsyringe';

import { dsuScorer } from './dsu/dsu.js';
import { gradientScorer } from './gradient/gradient.js';
import { outputScorer } from './output/output.js';
import { reconstructionScorer } from './reconstruction/reconstruction.js';
import { singleScorer } from './single/single.js';

/** Every scorer this package provides. */
export const scorers: readonly PluginDescriptor[] = [reconstructionScorer, outputScorer, gradientScorer, dsuScorer, singleScorer];

/** Registers the scorers as `scorer:<id>`. */
export function register(container: DependencyContainer): void {
  registerDescriptors(container, scorers);
}
