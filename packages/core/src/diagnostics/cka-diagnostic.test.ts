import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { selectBackend } from '../backend/select.js';
import type { ApplyOptions, Backbone, BackboneOutput } from '../contracts/backbone.js';
import type { ImageSet } from '../contracts/dataset.js';
import { createRng, uniform } from '../random.js';
import { ckaDiagnostic, ckaReportPath, formatCkaDiagnostic, writeCkaDiagnostic, type CkaDiagnostic } from './cka-diagnostic.js';
import { pairwiseCka } from './pairwise-cka.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

const SIZE = 4;

/**
 * A stand-in learner whose tap-4 features are tanh(x W) for a seeded W [16, width], so features are a known
 * function of the images. It records the training flag of every call.
 */
class ProjectionBackbone implements Backbone {
  readonly id = 'projection';
  readonly imageSize = SIZE;
  readonly tapCount = 9;
  readonly trainingFlags: boolean[] = [];
  readonly weight: tf.Tensor2D;

  constructor(seed: string, width: number, scale = 1) {
    this.weight = tf.tensor2d(uniform(SIZE * SIZE * width, -scale, scale, createRng(seed)), [SIZE * SIZE, width]);
  }

  apply(x: tf.Tensor4D, options: ApplyOptions): BackboneOutput {
    this.trainingFlags.push(options.training);
    const features = tf.tanh(tf.matMul(tf.reshape(x, [x.shape[0], -1]), this.weight)) as tf.Tensor2D;
    return { reconstruction: tf.clone(x), features: new Map((options.taps ?? []).map((tap) => [tap, tap === 4 ? features : tf.clone(features)])) };
  }

  loss(): tf.Scalar {
    return tf.scalar(0);
  }

  trainableVariables(): tf.Variable[] {
    return [];
  }

  stateDict(): Map<string, tf.Tensor> {
    return new Map();
  }

  loadStateDict(): void {}

  getConfig(): Record<string, unknown> {
    return {};
  }

  dispose(): void {
    this.weight.dispose();
  }
}

/** `count` seeded images, the first `abnormal` of them labelled 1. */
function images(count: number, abnormal: number, seed: string): ImageSet {
  return {
    ids: Array.from({ length: count }, (_, i) => `image-${i}.png`),
    labels: Uint8Array.from({ length: count }, (_, i) => (i < abnormal ? 1 : 0)),
    pixels: uniform(count * SIZE * SIZE, -1, 1, createRng(seed)),
    size: SIZE,
  };
}

/** Linear CKA in float64 from row-major [n, d] feature arrays, written out from the definition. */
function referenceCka(x: Float64Array, y: Float64Array, n: number, dx: number, dy: number): number {
  const centre = (m: Float64Array, d: number): Float64Array => {
    const out = Float64Array.from(m);
    for (let c = 0; c < d; c++) {
      let mean = 0;
      for (let r = 0; r < n; r++) mean += m[r * d + c]! / n;
      for (let r = 0; r < n; r++) out[r * d + c]! -= mean;
    }
    return out;
  };
  const gram = (m: Float64Array, d: number): Float64Array => {
    const g = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) for (let c = 0; c < d; c++) g[a * n + b]! += m[a * d + c]! * m[b * d + c]!;
    return g;
  };
  const dot = (p: Float64Array, q: Float64Array): number => p.reduce((sum, value, i) => sum + value * q[i]!, 0);
  const gx = gram(centre(x, dx), dx);
  const gy = gram(centre(y, dy), dy);
  return dot(gx, gy) / Math.sqrt(dot(gx, gx) * dot(gy, gy));
}

/** Computes the tap-4 features of `member` on all of `set`, as float64. */
function featuresOf(member: ProjectionBackbone, set: ImageSet): Float64Array {
  const features = tf.tidy(() => {
    const x = tf.tensor4d(set.pixels, [set.ids.length, SIZE, SIZE, 1]);
    return tf.tanh(tf.matMul(tf.reshape(x, [set.ids.length, -1]), member.weight));
  });
  const values = Float64Array.from(features.dataSync());
  features.dispose();
  return values;
}

describe('pairwiseCka', () => {
  it('matches a float64 reference', () => {
    const set = images(40, 0, 'reference');
    const members = [new ProjectionBackbone('m0', 6), new ProjectionBackbone('m1', 6), new ProjectionBackbone('m2', 3, 0.3)];
    const matrix = pairwiseCka(members, set, 4, 7);

    const features = members.map((member) => featuresOf(member, set));
    const widths = [6, 6, 3];
    for (let a = 0; a < 3; a++) {
      expect(matrix[a]![a]).toBeCloseTo(1, 5);
      for (let b = 0; b < 3; b++) {
        const expected = referenceCka(features[a]!, features[b]!, 40, widths[a]!, widths[b]!);
        expect(matrix[a]![b], `[${a}][${b}]`).toBeCloseTo(expected, 5);
      }
    }
    expect(matrix[0]![1]).toBe(matrix[1]![0]);
  });

  it('uses both HSIC forms alike', () => {
    // 40 images and width 6 take the cross-covariance form; width 64 the Gram form. Both equal the reference.
    const set = images(40, 0, 'forms');
    const wide = [new ProjectionBackbone('w0', 64), new ProjectionBackbone('w1', 64)];
    const matrix = pairwiseCka(wide, set, 4);

    const reference = referenceCka(featuresOf(wide[0]!, set), featuresOf(wide[1]!, set), 40, 64, 64);
    expect(matrix[0]![1]).toBeCloseTo(reference, 5);
  });

  it('ignores the batch size', () => {
    const set = images(33, 0, 'batches');
    const members = [new ProjectionBackbone('b0', 5), new ProjectionBackbone('b1', 5)];

    const whole = pairwiseCka(members, set, 4, 64);
    const small = pairwiseCka(members, set, 4, 4);
    expect(small[0]![1]).toBeCloseTo(whole[0]![1]!, 6);
  });

  it('runs members in inference mode', () => {
    const member = new ProjectionBackbone('flags', 4);
    pairwiseCka([member, member], images(10, 0, 'flags'), 4, 3);

    expect(member.trainingFlags.length).toBeGreaterThan(0);
    expect(member.trainingFlags.every((flag) => flag === false)).toBe(true);
  });

  it('rejects a tap out of range', () => {
    expect(() => pairwiseCka([new ProjectionBackbone('tap', 4)], images(4, 0, 'tap'), 9)).toThrow(
      /pairwiseCka: tap 9 is not a feature tap of member 0 \(projection has taps 0\.\.8\)/,
    );
  });

  it('rejects fewer than 2 images', () => {
    expect(() => pairwiseCka([new ProjectionBackbone('one', 4)], images(1, 0, 'one'), 4)).toThrow(
      /pairwiseCka: CKA centres features over images and needs at least 2 images, got 1/,
    );
  });

  it('rejects a bad batch size', () => {
    expect(() => pairwiseCka([new ProjectionBackbone('batch', 4)], images(4, 0, 'batch'), 4, 0)).toThrow(
      /pairwiseCka: batchSize must be a positive integer, got 0/,
    );
  });

  it('leaks no tensors', () => {
    const members = [new ProjectionBackbone('l0', 4), new ProjectionBackbone('l1', 4)];
    const set = images(12, 0, 'leak');
    pairwiseCka(members, set, 4, 5);

    const before = tf.memory().numTensors;
    pairwiseCka(members, set, 4, 5);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('ckaDiagnostic', () => {
  const set = images(30, 12, 'diagnostic');
  let members: ProjectionBackbone[];

  // Created once the backend is selected, not while the tests are collected.
  beforeAll(() => {
    members = [new ProjectionBackbone('d0', 5), new ProjectionBackbone('d1', 5)];
  });

  it('splits normal and abnormal', () => {
    const diagnostic = ckaDiagnostic(members, set, 4);
    const normalIndices = Array.from({ length: 18 }, (_, i) => i + 12);
    const normal: ImageSet = {
      ids: normalIndices.map((i) => set.ids[i]!),
      labels: new Uint8Array(18),
      pixels: Float32Array.from(normalIndices.flatMap((i) => Array.from(set.pixels.subarray(i * 16, (i + 1) * 16)))),
      size: SIZE,
    };

    expect(diagnostic).toMatchObject({ format: 'd2ue-cka/1', tap: 4, members: 2 });
    expect(diagnostic.normal.images).toBe(18);
    expect(diagnostic.abnormal.images).toBe(12);
    expect(diagnostic.normal.matrix![0]![1]).toBeCloseTo(pairwiseCka(members, normal, 4)[0]![1]!, 6);
    expect(diagnostic.normal.meanBetweenMembers).toBe(diagnostic.normal.matrix![0]![1]);
    expect(diagnostic.normal.matrix![0]![1]).not.toBeCloseTo(diagnostic.abnormal.matrix![0]![1]!, 4);
  });

  it('marks a tiny group n/a', () => {
    const diagnostic = ckaDiagnostic(members, images(6, 1, 'tiny'), 4);

    expect(diagnostic.abnormal).toEqual({ images: 1, matrix: null, meanBetweenMembers: null });
    expect(formatCkaDiagnostic(diagnostic)).toContain('abnormal test images (n = 1)\n  n/a: CKA needs at least 2 images');
  });

  it('formats a text table', () => {
    const diagnostic: CkaDiagnostic = {
      format: 'd2ue-cka/1',
      tap: 4,
      members: 2,
      normal: { images: 18, matrix: [[1, 0.25], [0.25, 1]], meanBetweenMembers: 0.25 },
      abnormal: { images: 12, matrix: [[1, 0.5], [0.5, 1]], meanBetweenMembers: 0.5 },
    };

    expect(formatCkaDiagnostic(diagnostic)).toBe(
      [
        'Pairwise linear CKA between members at tap 4 (inference mode)',
        'normal test images (n = 18)',
        '         m0     m1',
        '  m0  1.000  0.250',
        '  m1  0.250  1.000',
        '  mean between members: 0.250',
        'abnormal test images (n = 12)',
        '         m0     m1',
        '  m0  1.000  0.500',
        '  m1  0.500  1.000',
        '  mean between members: 0.500',
      ].join('\n'),
    );
  });

  it('writes reports/cka.k<K>.json', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'd2ue-cka-'));
    const diagnostic = ckaDiagnostic(members, set, 4);
    const file = writeCkaDiagnostic(runDir, diagnostic);

    expect(file).toBe(join(runDir, ckaReportPath(diagnostic.members)));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(diagnostic);
    // The atomic write leaves no temporary file behind.
    expect(readdirSync(join(runDir, 'reports'))).toEqual([`cka.k${diagnostic.members}.json`]);
    expect(existsSync(join(runDir, 'reports', `cka.k${diagnostic.members}.json`))).toBe(true);
  });

  it('has the result types', () => {
    expectTypeOf(ckaDiagnostic).returns.toEqualTypeOf<CkaDiagnostic>();
    expectTypeOf<CkaDiagnostic['normal']['matrix']>().toEqualTypeOf<number[][] | null>();
  });
});
