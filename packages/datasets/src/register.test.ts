import { describe, expect, it } from 'vitest';

import { createContainer, resolveDescriptor } from '@d2ue/core';

import { medAdLoader, mnistBuilder, register } from './index.js';

describe('register', () => {
  it('registers both plug-ins', () => {
    const container = createContainer();
    register(container);

    expect(resolveDescriptor(container, 'loader', 'med-ad')).toBe(medAdLoader);
    expect(resolveDescriptor(container, 'dataset', 'mnist')).toBe(mnistBuilder);
  });

  it('rejects a second registration', () => {
    const container = createContainer();
    register(container);
    expect(() => register(container)).toThrow('Plug-in token "loader:med-ad" is registered twice');
  });
});

describe('medAdLoader', () => {
  it('has strict options', () => {
    expect(medAdLoader.options.parse({})).toEqual({ cache: true, requireBothClasses: true });
    expect(() => medAdLoader.options.parse({ size: 64 })).toThrow(/size/);
  });

  it('creates a loader', () => {
    expect(typeof medAdLoader.create(medAdLoader.options.parse({})).load).toBe('function');
  });
});

describe('mnistBuilder', () => {
  it('creates a builder', () => {
    const builder = mnistBuilder.create(mnistBuilder.options.parse({}), { imageSize: 32, seed: '1' });
    expect(builder.id).toBe('mnist');
  });
});
