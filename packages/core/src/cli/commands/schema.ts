import type { Command } from 'commander';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';

import { loadPlugins } from '../../app/plugins.js';
import { ConfigSchema, DEFAULT_PLUGINS } from '../../config/schema.js';
import { listDescriptors } from '../../container.js';
import { PLUGIN_KINDS } from '../../tokens.js';

/** A JSON Schema document or fragment. */
export type JsonSchema = Record<string, unknown>;

/** Converts a zod schema to JSON Schema (draft 2020-12) as a config writes it, with defaults optional. */
export function toInputJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  return rest;
}

/** Collects the options schema of every registered plug-in, by kind and id: `{ backbone: { AE: {...} }, ... }`. */
export function pluginOptionSchemas(container: DependencyContainer): Record<string, Record<string, JsonSchema>> {
  const out: Record<string, Record<string, JsonSchema>> = {};
  for (const kind of PLUGIN_KINDS) {
    const descriptors = listDescriptors(container, kind);
    if (descriptors.length === 0) continue;
    out[kind] = Object.fromEntries(descriptors.map((descriptor) => [descriptor.id, { description: descriptor.summary, ...toInputJsonSchema(descriptor.options) }]));
  }
  return out;
}

/**
 * Adds one `if name = <id> then <the plug-in's options>` rule per plug-in to a config section, so an editor checks
 * the options of the plug-in the section names. `key` is the naming key (`name`, or `builder` for `data`);
 * `hostKeys` are the section's own keys, allowed next to the options.
 */
function bindOptions(section: JsonSchema, key: string, hostKeys: readonly string[], plugins: Record<string, JsonSchema> | undefined): JsonSchema {
  if (plugins === undefined) return section;

  const rules = Object.entries(plugins).map(([id, options]) => {
    const own = (options.properties ?? {}) as Record<string, unknown>;
    const host = Object.fromEntries(hostKeys.map((name) => [name, {}]));
    return {
      if: { type: 'object', properties: { [key]: { const: id } }, required: [key] },
      then: { properties: { ...host, ...own }, additionalProperties: false },
    };
  });

  const properties = { ...((section.properties ?? {}) as Record<string, JsonSchema>) };
  properties[key] = { ...properties[key], examples: Object.keys(plugins) };
  return { ...section, properties, allOf: rules };
}

/**
 * Builds the JSON Schema of a d2ue config file. With a container, each plug-in section (`backbone`, `repulsion`,
 * `scorers` entries, `data` with a `builder`) also checks the options of the plug-in it names, and the document
 * gets a `plugins` key holding every registered plug-in's options schema by kind and id.
 *
 * @example
 * const schema = configJsonSchema(await loadPlugins(DEFAULT_PLUGINS));
 * writeFileSync('d2ue.schema.json', JSON.stringify(schema, null, 2));
 */
export function configJsonSchema(container?: DependencyContainer): JsonSchema {
  const document = z.toJSONSchema(ConfigSchema, { io: 'input' }) as JsonSchema;
  const head = { $schema: document.$schema, title: 'd2ue config' };
  if (container === undefined) return { ...head, ...document };

  const plugins = pluginOptionSchemas(container);
  const properties = { ...(document.properties as Record<string, JsonSchema>) };
  properties.backbone = bindOptions(properties.backbone!, 'name', ['name'], plugins.backbone);
  properties.repulsion = bindOptions(properties.repulsion!, 'name', ['name', 'weight', 'tap'], plugins.repulsion);
  properties.data = bindOptions(properties.data!, 'builder', ['root', 'builder', 'intensityRange'], plugins.dataset);

  const scorers = properties.scorers!;
  properties.scorers = { ...scorers, items: bindOptions(scorers.items as JsonSchema, 'name', ['name'], plugins.scorer) };
  return { ...head, ...document, properties, plugins };
}

/** `d2ue schema [--plugins a,b | --no-plugins]`: prints the config's JSON Schema for editors. */
export function installSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of config files (with the options of every loaded plug-in), e.g. d2ue schema > d2ue.schema.json')
    .option('--plugins <packages>', `comma-separated plug-in packages to load (default: ${DEFAULT_PLUGINS.join(', ')})`)
    .option('--no-plugins', 'print the config schema alone, without plug-in options')
    .action(async (options: { plugins?: string | boolean }) => {
      const packages = typeof options.plugins === 'string' ? options.plugins.split(',').map((name) => name.trim()).filter(Boolean) : DEFAULT_PLUGINS;
      const container = options.plugins === false ? undefined : await loadPlugins(packages);
      process.stdout.write(`${JSON.stringify(configJsonSchema(container), null, 2)}\n`);
    });
}

