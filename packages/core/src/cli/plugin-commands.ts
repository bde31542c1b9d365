import type { Command } from 'commander';

import { loadPlugins } from '../app/plugins.js';
import { DEFAULT_PLUGINS } from '../config/schema.js';
import { listDescriptors } from '../container.js';

/**
 * Adds the sub-commands that plug-in packages contribute (`command:<id>` descriptors, e.g. `prepare dicom` from
 * @d2ue/datasets) to `program`, in the order the packages register them. Returns the ids installed.
 *
 * @example
 * const program = await buildProgram();
 * await installPluginCommands(program);
 * await program.parseAsync(process.argv);
 * @throws D2ueError `plugin` when a package cannot be imported or has no `register` function.
 */
export async function installPluginCommands(program: Command, packages: readonly string[] = DEFAULT_PLUGINS): Promise<string[]> {
  const container = await loadPlugins(packages);

  const installed: string[] = [];
  for (const descriptor of listDescriptors(container, 'command')) {
    descriptor.install({ program });
    installed.push(descriptor.id);
  }
  return installed;
}
