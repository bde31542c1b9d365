import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadConfigFile } from '../../config/load.js';
import { demoConfig } from './demo.js';

const defaults = { dataset: 'mnist', backbone: 'AE', repulsion: 'rar', epochs: 10, seed: 8 };

describe('demoConfig', () => {
  it('equals configs/demo.yaml', () => {
    const file = fileURLToPath(new URL('../../../../../configs/demo.yaml', import.meta.url));
    expect(demoConfig(defaults)).toEqual(loadConfigFile(file));
  });

  it('rejects an unknown dataset', () => {
    expect(() => demoConfig({ ...defaults, dataset: 'cifar' })).toThrow(/--dataset cifar: unknown demo dataset; choose one of mnist/);
  });
});
