import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@d2ue/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { BatchNorm } from './batch-norm.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('BatchNorm num_batches_tracked', () => {
  it('counts training passes only', () => {
    const norm = new BatchNorm({ features: 3 });
    const x = tf.randomUniform([4, 3], -1, 1) as tf.Tensor2D;
    tf.tidy(() => {
      norm.apply(x, true);
      norm.apply(x, true);
      norm.apply(x, false);
    });
    const out = new Map<string, tf.Tensor>();
    norm.exportWeights('bn.', out);
    const counter = out.get('bn.num_batches_tracked')!;
    expect(counter.dtype).toBe('int32');
    expect(counter.shape).toEqual([]);
    expect(counter.dataSync()[0]).toBe(2);
    tf.dispose([...out.values(), x]);
    norm.dispose();
  });

  it('loads or defaults the counter', () => {
    const source = new BatchNorm({ features: 3 });
    source.batchesTracked = 43;
    const out = new Map<string, tf.Tensor>();
    source.exportWeights('bn.', out);
    const target = new BatchNorm({ features: 3 });
    target.importWeights('bn.', out);
    expect(target.batchesTracked).toBe(43);

    // PyTorch fills a missing counter with 0; so does d2ue.
    out.get('bn.num_batches_tracked')!.dispose();
    out.delete('bn.num_batches_tracked');
    target.importWeights('bn.', out);
    expect(target.batchesTracked).toBe(0);
    tf.dispose([...out.values()]);
    source.dispose();
    target.dispose();
  });

  it('rejects a non-scalar counter', () => {
    const norm = new BatchNorm({ features: 3 });
    const out = new Map<string, tf.Tensor>();
    norm.exportWeights('bn.', out);
    out.get('bn.num_batches_tracked')!.dispose();
    out.set('bn.num_batches_tracked', tf.tensor1d([5], 'int32'));
    expect(() => norm.importWeights('bn.', out)).toThrow(/Counter "bn\.num_batches_tracked" has shape \[1\], expected \[\] \(a scalar\)/);
    tf.dispose([...out.values()]);
    norm.dispose();
  });
});
