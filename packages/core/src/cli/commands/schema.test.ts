import { DEFAULT_PLUGINS, loadPlugins } from '@d2ue/core';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { buildProgram } from '../program.js';
import { configJsonSchema, type JsonSchema } from './schema.js';

type Node = Record<string, any>;

/** Runs `d2ue schema ...args` and parses what it prints. */
async function runSchema(...args: string[]): Promise<Node> {
  let printed = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  try {
    await (await buildProgram()).parseAsync(['node', 'd2ue', 'schema', ...args]);
  } finally {
    write.mockRestore();
  }
  return JSON.parse(printed) as Node;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('d2ue schema', () => {
  it('prints the config schema', async () => {
    const schema = await runSchema('--no-plugins');

    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.plugins).toBeUndefined();
    expect(schema.required).toEqual(['data']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.training.properties.learningRate).toEqual({ default: 5e-4, type: 'number', exclusiveMinimum: 0 });
    expect(schema.properties.backend.enum).toEqual(['auto', 'gpu', 'node', 'wasm', 'cpu']);
  });

  it('adds plug-in options', async () => {
    const schema = await runSchema();

    expect(Object.keys(schema.plugins.backbone)).toEqual(['AE', 'MemAE', 'AE-U']);
    expect(schema.plugins.backbone.MemAE.properties.memorySize).toEqual({ default: 25, type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
    expect(schema.plugins.backbone.AE.additionalProperties).toBe(false);
    expect(Object.keys(schema.plugins.scorer)).toEqual(expect.arrayContaining(['reconstruction', 'output', 'dsu', 'gradient', 'single']));
    expect(schema.plugins.dataset.mnist.properties.train.default).toBe(1000);
  });

  it('binds options to names', async () => {
    const schema = configJsonSchema(await loadPlugins(DEFAULT_PLUGINS)) as Node;
    const rule = (section: JsonSchema, id: string): Node => (section.allOf as Node[]).find((entry) => entry.if.properties[Object.keys(entry.if.properties)[0]!].const === id)!;

    // backbone: { name: MemAE, ... } allows MemAE's options and the section's own key only.
    const memAe = rule(schema.properties.backbone, 'MemAE');
    expect(memAe.if.required).toEqual(['name']);
    expect(memAe.then.additionalProperties).toBe(false);
    expect(Object.keys(memAe.then.properties)).toEqual(expect.arrayContaining(['name', 'memorySize', 'widthMultiplier']));
    expect(schema.properties.backbone.properties.name.examples).toEqual(['AE', 'MemAE', 'AE-U']);

    // repulsion keeps its host keys weight and tap next to the term's options.
    expect(Object.keys(rule(schema.properties.repulsion, 'rar').then.properties)).toEqual(['name', 'weight', 'tap']);

    // data is keyed by builder; scorer entries by name.
    expect(Object.keys(rule(schema.properties.data, 'mnist').then.properties)).toEqual(
      expect.arrayContaining(['root', 'builder', 'intensityRange', 'normalClass', 'train', 'testNormal', 'testAbnormal']),
    );
    expect(rule(schema.properties.scorers.items, 'single').then.properties.member).toBeDefined();
  });

  it('rejects an unknown package', async () => {
    await expect(runSchema('--plugins', 'd2ue-no-such-package')).rejects.toThrow(/plugins: cannot import "d2ue-no-such-package"/);
  });
});
