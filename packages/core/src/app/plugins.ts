import type { DependencyContainer } from 'tsyringe';

import { createContainer, type RegisterPlugins } from '../container.js';
import { D2ueError } from '../errors.js';

/**
 * Imports each plug-in package named in the config's `plugins` list and calls its exported
 * `register(container)`. Built-in and third-party packages load the same way; core names none of them.
 */
export async function loadPlugins(packages: readonly string[], container: DependencyContainer = createContainer()): Promise<DependencyContainer> {
  for (const name of packages) {
    let module: { register?: RegisterPlugins };
    try {
      module = (await import(name)) as { register?: RegisterPlugins };
    } catch (error) {
      throw new D2ueError(
        'plugin',
        `plugins: cannot import "${name}" (${(error as Error).message.split('\n')[0]}). Install it with "npm install ${name}", or remove it from the config's "plugins" list.`,
        { subject: 'plugins', cause: error },
      );
    }
    if (typeof module.register !== 'function') {
      throw new D2ueError('plugin', `plugins: "${name}" exports no register(container) function, so it is not a d2ue plug-in package.`, {
        subject: 'plugins',
      });
    }
    module.register(container);
  }
  return container;
}
