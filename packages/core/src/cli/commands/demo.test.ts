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

  it('equals configs/demo-brain-mri.yaml', () => {
    const file = fileURLToPath(new URL('../../../../../configs/demo-brain-mri.yaml', import.meta.url));
    const config = demoConfig({ ...defaults, dataset: 'brain-mri' });
    expect(config).toEqual(loadConfigFile(file));
    expect(config.training.batchSize).toBe(16);
  });

  it('rejects an unknown dataset', () => {
    expect(() => demoConfig({ ...defaults, dataset: 'cifar' })).toThrow(
      '--dataset cifar: unknown demo dataset; choose one of mnist, brain-mri.',
    );
    expect(() => demoConfig({ ...defaults, dataset: 'constructor' })).toThrow('--dataset constructor: unknown demo dataset');
  });
});
