import * as tf from '@tensorflow/tfjs-core';
import { Ae, AeOptionsSchema } from '@d2ue/backbones';
import { selectBackend, trainingStep, type RepulsionContext, type RepulsionLoss } from '@d2ue/core';
import { NoRepulsion } from '@d2ue/repulsion';
import { beforeAll, describe, expect, it } from 'vitest';

const options = AeOptionsSchema.parse({ imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 });

/** A repulsion term that depends on the junior's weights and records every value it returns. */
class SpyRepulsion implements RepulsionLoss {
  readonly id = 'spy';
  readonly minBatchSize = 2;
  readonly values: number[] = [];
  seniorsSeen = -1;

  compute({ junior, seniors }: RepulsionContext): tf.Scalar {
    this.seniorsSeen = seniors.length;
    const value = tf.tidy(() => tf.mean(tf.square(tf.sub(junior.features, seniors[0]!.features)))) as tf.Scalar;
    this.values.push(value.dataSync()[0]!);
    return value;
  }
}

beforeAll(async () => {
  await selectBackend('cpu');
});

/** One step of a fresh junior (seed 'junior') next to a fixed senior; returns the losses and the junior's weights. */
function stepWith(repulsion: RepulsionLoss, weight: number): { total: number; backbone: number; repulsion: number; weights: Float32Array } {
  const senior = new Ae(options, 'senior');
  const junior = new Ae(options, 'junior');
  const batch = tf.randomUniform([8, 32, 32, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
  const optimizer = tf.train.adam(5e-4, 0.5, 0.999, 1e-8);

  const losses = trainingStep({ junior, seniors: [senior], batch, repulsion, weight, tap: 4, optimizer });
  const weights = junior.trainableVariables()[0]!.dataSync() as Float32Array;

  tf.dispose([batch]);
  optimizer.dispose();
  senior.dispose();
  junior.dispose();
  return { ...losses, weights: weights.slice() };
}

describe('trainingStep', () => {
  it('adds λ times the repulsion', () => {
    const spy = new SpyRepulsion();
    const losses = stepWith(spy, 2);

    expect(spy.seniorsSeen).toBe(1);
    expect(spy.values).toHaveLength(1);
    expect(losses.repulsion).toBeCloseTo(spy.values[0]!, 6);
    expect(losses.total).toBeCloseTo(losses.backbone + 2 * spy.values[0]!, 6);
    expect(losses.repulsion).toBeGreaterThan(0);
  });

  it('ignores repulsion when λ = 0', () => {
    const spy = new SpyRepulsion();
    const withSpy = stepWith(spy, 0);
    const without = stepWith(new NoRepulsion(), 0);

    // The term is computed and logged, yet the update is the one without any term.
    expect(withSpy.repulsion).toBeGreaterThan(0);
    expect(withSpy.total).toBeCloseTo(withSpy.backbone, 6);
    expect(Array.from(withSpy.weights)).toEqual(Array.from(without.weights));
  });

  it('changes the update when λ = 2', () => {
    const withSpy = stepWith(new SpyRepulsion(), 2);
    const without = stepWith(new NoRepulsion(), 2);

    expect(Array.from(withSpy.weights)).not.toEqual(Array.from(without.weights));
  });

  it('leaves the senior frozen', () => {
    const senior = new Ae(options, 'senior');
    const junior = new Ae(options, 'junior');
    const batch = tf.randomUniform([8, 32, 32, 1], -1, 1, 'float32', 4) as tf.Tensor4D;
    const optimizer = tf.train.adam(5e-4);
    const before = senior.stateDict();

    trainingStep({ junior, seniors: [senior], batch, repulsion: new SpyRepulsion(), weight: 1, tap: 4, optimizer });
    const after = senior.stateDict();

    for (const [name, tensor] of before) {
      expect(tf.max(tf.abs(tf.sub(tensor, after.get(name)!))).dataSync()[0], name).toBe(0);
    }
    tf.dispose([...before.values(), ...after.values(), batch]);
    optimizer.dispose();
    senior.dispose();
    junior.dispose();
  });

  it('leaks no tensors', () => {
    const senior = new Ae(options, 'senior');
    const junior = new Ae(options, 'junior');
    const batch = tf.randomUniform([8, 32, 32, 1], -1, 1, 'float32', 5) as tf.Tensor4D;
    const optimizer = tf.train.adam(5e-4);
    const step = (): unknown => trainingStep({ junior, seniors: [senior], batch, repulsion: new SpyRepulsion(), weight: 1, tap: 4, optimizer });

    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([batch]);
    optimizer.dispose();
    senior.dispose();
    junior.dispose();
  });
});
