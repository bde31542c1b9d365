import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_PLUGINS, trainRun, validateConfig } from '@d2ue/core';
import { describeBackboneConformance } from '@d2ue/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { register, tinyAeBackbone } from './index.js';

// The whole contract: shapes, determinism, leaks, edge inputs, weights round trip, strict options, registration.
describeBackboneConformance(tinyAeBackbone, { options: { imageSize: 16, channels: 4 }, register });

describe('tiny-ae', () => {
  it('counts its parameters', () => {
    const backbone = tinyAeBackbone.create(tinyAeBackbone.options.parse({}), { seed: 'count' });
    const count = backbone.trainableVariables().reduce((sum, variable) => sum + variable.size, 0);
    backbone.dispose();

    // 32×32, c = 8, latent 16: conv 16·1·8 + 8, conv 16·8·16 + 16, linear 1024·16 + 16, linear 16·1024 + 1024,
    // transposed conv 16·16·8 + 8, transposed conv 16·8·1 + 1.
    expect(count).toBe(136 + 2064 + 16400 + 17408 + 2056 + 129);
  });

  it('rejects a misspelt option', () => {
    const result = tinyAeBackbone.options.safeParse({ chanels: 4 });
    expect(result.error?.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['chanels'] })]);
  });
});

describe('tiny-ae training', () => {
  let runDir: string;
  let dispose: () => void;

  beforeAll(async () => {
    process.env.D2UE_CACHE ??= mkdtempSync(join(tmpdir(), 'd2ue-cache-'));
    const config = validateConfig({
      backbone: { name: 'tiny-ae', imageSize: 32 },
      repulsion: { name: 'rar', weight: 1, tap: 2 },
      ensemble: { size: 2 },
      training: { epochs: 2, batchSize: 16, seed: 8 },
      data: { builder: 'mnist', normalClass: 0, train: 64, testNormal: 16, testAbnormal: 16 },
      scorers: ['reconstruction'],
      backend: 'cpu',
      plugins: [...DEFAULT_PLUGINS, 'd2ue-example-backbone'],
    });
    const run = await trainRun(config, { out: join(mkdtempSync(join(tmpdir(), 'd2ue-run-')), 'tiny-ae') });
    runDir = run.runDir;
    dispose = () => run.members.forEach((member) => member.dispose());
  });

  afterAll(() => {
    dispose();
  });

  it('trains through a config', () => {
    const epochs = (member: number): Array<{ loss: number; repulsion: number }> =>
      readFileSync(join(runDir, 'members', String(member), 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));

    for (const member of [0, 1]) {
      const [first, second] = epochs(member);
      expect(second!.loss).toBeLessThan(first!.loss);
    }
    // Member 1 is repelled from member 0 on tap 2 (z); RAR is a CKA, so within (0, 1].
    expect(epochs(1)[0]!.repulsion).toBeGreaterThan(0);
    expect(epochs(1)[0]!.repulsion).toBeLessThanOrEqual(1);
  });
});
