import type { DependencyContainer } from 'tsyringe';

import { parsePluginOptions } from '../config/plugin-options.js';
import type { Config } from '../config/schema.js';
import { resolveDescriptor } from '../container.js';
import type { BackboneDescriptor, RepulsionDescriptor, ScorerDescriptor } from '../plugin.js';

/** A plug-in chosen by the config, with its validated options. */
export interface Chosen<D> {
  readonly descriptor: D;
  readonly options: Record<string, unknown>;
}

/** The plug-ins a config names, resolved in the container and with options checked by their own schemas. */
export interface ResolvedPlugins {
  readonly backbone: Chosen<BackboneDescriptor>;
  readonly repulsion: Chosen<RepulsionDescriptor>;
  readonly scorers: ReadonlyArray<Chosen<ScorerDescriptor>>;
  readonly imageSize: number;
}

/** Resolves the config's backbone, repulsion term and scorers; errors carry the config path. */
export function resolvePlugins(config: Config, container: DependencyContainer): ResolvedPlugins {
  const backboneDescriptor = resolveDescriptor(container, 'backbone', config.backbone.name, 'backbone.name');
  const backboneOptions = parsePluginOptions(backboneDescriptor, config.backbone, 'backbone');

  const repulsionDescriptor = resolveDescriptor(container, 'repulsion', config.repulsion.name, 'repulsion.name');
  const repulsionOptions = parsePluginOptions(repulsionDescriptor, config.repulsion, 'repulsion', ['weight', 'tap']);

  const scorers = config.scorers.map((entry, i) => {
    const section = typeof entry === 'string' ? { name: entry } : entry;
    const descriptor = resolveDescriptor(container, 'scorer', section.name, `scorers.${i}`);
    return { descriptor, options: parsePluginOptions(descriptor, section, `scorers.${i}`) as Record<string, unknown> };
  });

  return {
    backbone: { descriptor: backboneDescriptor, options: backboneOptions as Record<string, unknown> },
    repulsion: { descriptor: repulsionDescriptor, options: repulsionOptions as Record<string, unknown> },
    scorers,
    imageSize: backboneDescriptor.imageSize(backboneOptions),
  };
}
