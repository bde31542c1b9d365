import 'reflect-metadata';

import { container as rootContainer, type DependencyContainer } from 'tsyringe';

import { D2ueError } from './errors.js';
import type { DescriptorOf, PluginDescriptor } from './plugin.js';
import { pluginToken, type PluginKind } from './tokens.js';

/** The entry point every plug-in package exports: registers its descriptors in `container`. */
export type RegisterPlugins = (container: DependencyContainer) => void;

/** Creates a child of tsyringe's root container, so runs and tests never share registrations. */
export function createContainer(): DependencyContainer {
  return rootContainer.createChildContainer();
}

/** Registers each descriptor under its token (`<kind>:<id>`); a second registration of one token is an error. */
export function registerDescriptors(container: DependencyContainer, descriptors: readonly PluginDescriptor[]): void {
  for (const descriptor of descriptors) {
    const token = pluginToken(descriptor.kind, descriptor.id);
    if (container.isRegistered(token, false)) {
      throw new D2ueError('plugin', `Plug-in token "${token}" is registered twice; each id must be unique per kind.`, {
        subject: token,
      });
    }
    container.register(token, { useValue: descriptor });
    registered(container).push(descriptor);
  }
}

/** Resolves the descriptor registered as `<kind>:<id>`; the error for a missing one lists the ids of that kind. */
export function resolveDescriptor<K extends PluginKind>(
  container: DependencyContainer,
  kind: K,
  id: string,
  configPath: string = kind,
): DescriptorOf<K> {
  const token = pluginToken(kind, id);
  if (!container.isRegistered(token, true)) {
    const known = listDescriptors(container, kind).map((descriptor) => descriptor.id);
    throw new D2ueError(
      'plugin',
      `${configPath}: no ${kind} plug-in named "${id}". Registered: ${known.length > 0 ? known.join(', ') : 'none'}. ` +
        `Check the spelling, or add the package that provides it to the config's "plugins" list.`,
      { subject: configPath },
    );
  }
  return container.resolve<DescriptorOf<K>>(token);
}

/** Lists every descriptor of `kind` registered in `container`, in registration order. */
export function listDescriptors<K extends PluginKind>(container: DependencyContainer, kind: K): DescriptorOf<K>[] {
  return registered(container).filter((descriptor): descriptor is DescriptorOf<K> => descriptor.kind === kind);
}

// tsyringe cannot enumerate its registrations, so each container keeps the list of what it was given.
const registry = new WeakMap<DependencyContainer, PluginDescriptor[]>();

function registered(container: DependencyContainer): PluginDescriptor[] {
  let list = registry.get(container);
  if (list === undefined) {
    list = [];
    registry.set(container, list);
  }
  return list;
}
