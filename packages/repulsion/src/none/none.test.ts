import { parsePluginOptions, selectBackend, type RepulsionLoss } from '@d2ue/core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { contextOf, randomParts, valueOf } from '../__fixtures__/context.js';
import { noneRepulsion } from './descriptor.js';
import { NoRepulsion } from './none.js';
import { NoneOptionsSchema } from './options.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('none', () => {
  it('is always 0', () => {
    expect(valueOf(new NoRepulsion().compute())).toBe(0);
    expect(valueOf(noneRepulsion.create({}).compute(contextOf(randomParts(4, 3, 2, 'none'))))).toBe(0);
  });

  it('round-trips its config', () => {
    const options = parsePluginOptions(noneRepulsion, { name: 'none', weight: 0, tap: 2 }, 'repulsion', ['weight', 'tap']);
    expect(options).toEqual({});
    expect(NoneOptionsSchema.parse(JSON.parse(JSON.stringify(options)))).toEqual(options);
  });

  it('rejects an unknown option', () => {
    expect(() => parsePluginOptions(noneRepulsion, { name: 'none', bandwidth: 1 }, 'repulsion', ['weight', 'tap'])).toThrow(
      /repulsion: Unrecognized key: "bandwidth"/,
    );
  });

  it('has the contract types', () => {
    expectTypeOf(noneRepulsion.create({})).toEqualTypeOf<RepulsionLoss>();
  });
});
