import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { validateConfig, type Config, type ConfigInput } from '@d2ue/core';

/**
 * The tiny test profile (docs/design.md): 32×32 images, width 0.25, bottleneck 64, batch 16, 128 training images,
 * 2 epochs, on the deterministic `cpu` backend.
 */
export function tinyConfig(overrides: Partial<ConfigInput> = {}): Config {
  return validateConfig({
    backbone: { name: 'AE', imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 },
    repulsion: { name: 'rar', weight: 1, tap: 4 },
    ensemble: { size: 3 },
    training: { epochs: 2, batchSize: 16, seed: 8 },
    data: { builder: 'mnist', normalClass: 0, train: 128, testNormal: 32, testAbnormal: 32 },
    scorers: ['reconstruction', 'output', 'dsu'],
    backend: 'cpu',
    ...overrides,
  });
}

/** A fresh temporary folder. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `d2ue-${prefix}-`));
}
