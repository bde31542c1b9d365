import type { z } from 'zod';

import { D2ueError } from '../errors.js';
import type { PluginMeta } from '../plugin.js';
import type { PluginKind } from '../tokens.js';
import { formatIssues } from './load.js';

/**
 * Validates the plug-in options held in a config section (`backbone`, `repulsion`, a scorer entry, ...) with the
 * plug-in's own strict schema. `name` and the host's keys of that section (`weight`, `tap`) are not passed on.
 *
 * @throws D2ueError (config) naming `configPath` and each bad option.
 */
export function parsePluginOptions<S extends z.ZodType>(
  plugin: PluginMeta<PluginKind, S>,
  section: Record<string, unknown>,
  configPath: string,
  hostKeys: readonly string[] = [],
): z.output<S> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) {
    if (key !== 'name' && !hostKeys.includes(key)) options[key] = value;
  }

  const result = plugin.options.safeParse(options);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({ ...issue, path: [configPath, ...issue.path] }));
    throw new D2ueError('config', formatIssues(`the options of ${plugin.kind} "${plugin.id}"`, issues), {
      subject: configPath,
    });
  }
  return result.data;
}
