import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, expectTypeOf, it } from 'vitest';

import { D2ueError } from '../errors.js';
import { applyOverrides, loadConfigFile, validateConfig } from './load.js';
import type { Config } from './schema.js';

function configFile(text: string, name = 'run.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'd2ue-config-')), name);
  writeFileSync(file, text);
  return file;
}

describe('loadConfigFile', () => {
  it('fills the paper defaults', () => {
    const config = loadConfigFile(configFile('data:\n  root: ./Med-AD/RSNA\n'));

    expect(config.training).toEqual({
      epochs: 250,
      batchSize: 64,
      learningRate: 5e-4,
      betas: [0.5, 0.999],
      adamEpsilon: 1e-8,
      seed: 8,
      checkpointEvery: 1,
    });
    expect(config.repulsion).toEqual({ name: 'rar', weight: 1, tap: 4 });
    expect(config.ensemble.size).toBe(3);
    expect(config.scorers).toEqual(['reconstruction', 'output', 'dsu']);
    expectTypeOf(config).toEqualTypeOf<Config>();
  });

  it('names a misspelt key', () => {
    const file = configFile('data:\n  root: x\ntraining:\n  epocs: 3\n');
    expect(() => loadConfigFile(file)).toThrow(/training \(line 4, column 10\): Unrecognized key: "epocs".*check the spelling/);
  });

  it('locates a misspelt top-level key', () => {
    const file = configFile('data:\n  root: x\ntrainig:\n  epochs: 3\n');
    expect(() => loadConfigFile(file)).toThrow(/\(top level\) \(line 4, column 3\): Unrecognized key: "trainig"/);
  });

  it('blames --set, not the file', () => {
    const file = configFile('data:\n  root: x\ntraining:\n  epochs: 3\n');
    expect(() => loadConfigFile(file, ['training.epochs=abc'])).toThrow(/training\.epochs \(from --set training\.epochs\): Invalid input: expected number/);
  });

  it('names a wrong type', () => {
    const file = configFile('data:\n  root: x\ntraining:\n  epochs: ten\n');
    expect(() => loadConfigFile(file)).toThrow(new RegExp(`Invalid config in ${file}:\\n  training\\.epochs \\(line 4, column 11\\): Invalid input: expected number, received string`));
  });

  it('requires root or builder', () => {
    expect(() => validateConfig({ data: {} })).toThrow(/data: give exactly one of "root" \(a Med-AD folder\) or "builder"/);
  });

  it('reports invalid YAML', () => {
    const file = configFile('data: [unclosed\n');
    expect(() => loadConfigFile(file)).toThrow(new RegExp(`${file}: not valid YAML or JSON`));
  });

  it('reports a missing file', () => {
    expect(() => loadConfigFile('/nonexistent/run.yaml')).toThrow(/Cannot read config file \/nonexistent\/run\.yaml/);
  });

  it('reads JSON too', () => {
    const config = loadConfigFile(configFile('{"data": {"builder": "mnist"}, "ensemble": {"size": 5}}', 'run.json'));
    expect(config.ensemble.size).toBe(5);
  });
});

describe('applyOverrides', () => {
  it('sets typed nested values', () => {
    const out = applyOverrides({ training: { epochs: 3 } }, ['training.epochs=10', 'scorers=[output, dsu]', 'data.root=/x']);
    expect(out).toEqual({ training: { epochs: 10 }, scorers: ['output', 'dsu'], data: { root: '/x' } });
  });

  it('rejects an override without =', () => {
    expect(() => applyOverrides({}, ['training.epochs'])).toThrow(D2ueError);
    expect(() => applyOverrides({}, ['training.epochs'])).toThrow(/--set training\.epochs: expected key\.path=value/);
  });
});
