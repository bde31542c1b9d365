/**
 * The three backbones train and score on `wasm` as on `cpu`: the loss and every weight gradient of one training
 * step, and one member's dual-space map, agree within 1e-4 relative (tiny profile: 32×32, width 0.25).
 */
import * as tf from '@tensorflow/tfjs-core';
import { aeBackbone, aeUBackbone, memAeBackbone } from '@d2ue/backbones';
import { activateBackend, type BackboneDescriptor } from '@d2ue/core';
import { dualSpaceMap } from '@d2ue/uncertainty';
import { beforeAll, describe, expect, it } from 'vitest';

/** max |got − want| / max |want|. */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-30;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs((got[i] as number) - (want[i] as number)));
    scale = Math.max(scale, Math.abs(want[i] as number));
  }
  return diff / Math.max(scale, 1e-30);
}

const TINY = { imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 };
const BACKBONES: Array<[string, BackboneDescriptor]> = [
  ['AE', aeBackbone as BackboneDescriptor],
  ['MemAE', memAeBackbone as BackboneDescriptor],
  ['AE-U', aeUBackbone as BackboneDescriptor],
];

interface StepResult {
  loss: number;
  grads: Float32Array[];
  map: Float32Array;
}

async function step(backend: string, descriptor: BackboneDescriptor): Promise<StepResult> {
  await tf.setBackend(backend);
  const model = descriptor.create(descriptor.options.parse(TINY), { seed: 'parity' });
  const x = tf.randomUniform([8, 32, 32, 1], -1, 1, 'float32', 5) as tf.Tensor4D;
  try {
    const { value, grads } = tf.variableGrads(() => model.loss(x, model.apply(x, { training: true })), model.trainableVariables());
    // Variable names carry a global counter, so order the gradients by the model's own variable order.
    const names = model.trainableVariables().map((v) => v.name);
    const result = {
      loss: (await value.data())[0] as number,
      grads: await Promise.all(names.map(async (name) => (await grads[name]!.data()) as Float32Array)),
      map: tf.tidy(() => dualSpaceMap(model, x).map.dataSync() as Float32Array),
    };
    tf.dispose([value, ...Object.values(grads)]);
    return result;
  } finally {
    model.dispose();
    x.dispose();
  }
}

describe('backbones on wasm', () => {
  beforeAll(async () => {
    await activateBackend('cpu');
    await activateBackend('wasm');
  });

  it.each(BACKBONES)('%s step matches cpu', async (_name, descriptor) => {
    const want = await step('cpu', descriptor);
    const got = await step('wasm', descriptor);

    expect(relativeError([got.loss], [want.loss])).toBeLessThanOrEqual(1e-4);
    expect(got.grads).toHaveLength(want.grads.length);
    // A bias that feeds BatchNorm has an exactly zero gradient, so only rounding noise is left to compare: such
    // gradients (below 1e-5 of the step's largest) must stay below that bound on wasm too.
    const largest = Math.max(...want.grads.map((g) => Math.max(...g.map(Math.abs))));
    got.grads.forEach((g, i) => {
      const scale = Math.max(...want.grads[i]!.map(Math.abs));
      if (scale < 1e-5 * largest) {
        expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-5 * largest);
      } else {
        expect(relativeError(g, want.grads[i]!)).toBeLessThanOrEqual(1e-4);
      }
    });
    expect(relativeError(got.map, want.map)).toBeLessThanOrEqual(1e-4);
  });

  it('leaks no tensors', async () => {
    await step('wasm', aeBackbone as BackboneDescriptor);
    const before = tf.memory().numTensors;

    await step('wasm', memAeBackbone as BackboneDescriptor);

    expect(tf.memory().numTensors).toBe(before);
  });
});
