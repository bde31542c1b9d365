import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type RepulsionContext, type RepulsionDescriptor, type RepulsionView } from '@d2ue/core';
import { repulsionTerms } from '@d2ue/repulsion';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Every repulsion term against the float64 PyTorch reference of fixtures/repulsion/make_repulsion_fixtures.py:
 * value and gradient with respect to the junior's features (negative-correlation: its reconstruction).
 */

interface FixtureCase {
  readonly id: string;
  readonly options: Record<string, unknown>;
  readonly target: 'features' | 'reconstruction';
  readonly value: number;
  readonly gradient: number[];
}

interface Fixture {
  readonly shapes: { batch: number; width: number; image: number; seniors: number };
  readonly input: number[];
  readonly features: number[][];
  readonly reconstructions: number[][];
  readonly cases: FixtureCase[];
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/repulsion/repulsion.json', import.meta.url), 'utf8')) as Fixture;
const { batch, width, image } = fixture.shapes;
const TOLERANCE = 1e-5;

beforeAll(async () => {
  await selectBackend('cpu');
});

function view(features: tf.Tensor2D, reconstruction: tf.Tensor4D): RepulsionView {
  return { features, output: { reconstruction, features: new Map([[4, features]]) } };
}

describe('repulsion fixture', () => {
  it('covers every term but none', () => {
    const covered = new Set(fixture.cases.map((entry) => entry.id));
    expect([...covered].sort()).toEqual(repulsionTerms.map((descriptor) => descriptor.id).filter((id) => id !== 'none').sort());
  });

  it.each(fixture.cases.map((entry) => [`${entry.id} ${JSON.stringify(entry.options)}`, entry] as const))('%s matches PyTorch', (_, entry) => {
    const descriptor = repulsionTerms.find((candidate) => candidate.id === entry.id) as RepulsionDescriptor;
    const term = descriptor.create(descriptor.options.parse(entry.options));

    const input = tf.tensor4d(fixture.input, [batch, image, image, 1]);
    const features = fixture.features.map((values) => tf.tensor2d(values, [batch, width]));
    const reconstructions = fixture.reconstructions.map((values) => tf.tensor4d(values, [batch, image, image, 1]));
    const context = (juniorFeatures: tf.Tensor2D, juniorReconstruction: tf.Tensor4D): RepulsionContext => ({
      input,
      junior: view(juniorFeatures, juniorReconstruction),
      seniors: features.slice(1).map((senior, k) => view(senior, reconstructions[k + 1]!)),
    });

    const value = term.compute(context(features[0]!, reconstructions[0]!)).dataSync()[0]!;
    const gradient =
      entry.target === 'features'
        ? tf.grad((x: tf.Tensor) => term.compute(context(x as tf.Tensor2D, reconstructions[0]!)))(features[0]!)
        : tf.grad((x: tf.Tensor) => term.compute(context(features[0]!, x as tf.Tensor4D)))(reconstructions[0]!);

    expect(Math.abs(value - entry.value)).toBeLessThan(TOLERANCE);
    const computed = Array.from(gradient.dataSync());
    expect(computed).toHaveLength(entry.gradient.length);
    const worst = Math.max(...computed.map((g, i) => Math.abs(g - entry.gradient[i]!)));
    expect(worst).toBeLessThan(TOLERANCE);
  });
});
