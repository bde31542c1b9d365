import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadConfigFile } from '../../config/load.js';
import { demoConfig } from './demo.js';

// The options commander passes when none are given: --epochs stays unset, so each dataset's default applies.
const defaults = { dataset: 'mnist', backbone: 'AE', repulsion: 'rar', seed: 8 };

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
    expect(config.training.epochs).toBe(50);
  });

  it('lets --epochs override', () => {
    expect(demoConfig({ ...defaults, dataset: 'brain-mri', epochs: 3 }).training.epochs).toBe(3);
  });

  it('rejects an unknown dataset', () => {
    expect(() => demoConfig({ ...defaults, dataset: 'cifar' })).toThrow(
      '--dataset cifar: unknown demo dataset; choose one of mnist, brain-mri.',
    );
    expect(() => demoConfig({ ...defaults, dataset: 'constructor' })).toThrow('--dataset constructor: unknown demo dataset');
  });
});
