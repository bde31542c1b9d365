import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { conv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { registerWasmTrainingKernels } from './index.js';
import { relativeError, values } from './__fixtures__/values.js';

interface FilterCase {
  x: [number, number, number, number];
  dy: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: number | [number, number];
  pad: tf.Conv2DBackpropFilterAttrs['pad'];
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Runs Conv2DBackpropFilter on the named backend with seeded inputs and returns its values. */
async function filterGrad(backend: string, c: FilterCase): Promise<{ shape: number[]; data: Float32Array }> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(values(tf.util.sizeFromShape(c.x), 1), c.x);
  const dy = tf.tensor4d(values(tf.util.sizeFromShape(c.dy), 2), c.dy);
  const attrs: tf.Conv2DBackpropFilterAttrs = {
    strides: c.strides,
    pad: c.pad,
    dataFormat: c.dataFormat ?? 'NHWC',
    filterShape: c.filterShape,
  };
  if (c.dimRoundingMode != null) {
    attrs.dimRoundingMode = c.dimRoundingMode;
  }
  const grad = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: grad.shape, data: (await grad.data()) as Float32Array };
  tf.dispose([x, dy, grad]);
  return result;
}

/** Computes the output shape of the forward convolution with tfjs's own shape rules. */
function dyShape(
  x: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: tf.Conv2DBackpropFilterAttrs['pad'],
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): [number, number, number, number] {
  const format = dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst';
  const info = tf.backend_util.computeConv2DInfo(x, filterShape, strides, 1, pad, dimRoundingMode, false, format);
  return info.outShape;
}

function makeCase(
  x: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: tf.Conv2DBackpropFilterAttrs['pad'],
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): FilterCase {
  const c: FilterCase = { x, dy: dyShape(x, filterShape, strides, pad, dataFormat, dimRoundingMode), filterShape, strides, pad, dataFormat };
  if (dimRoundingMode != null) {
    c.dimRoundingMode = dimRoundingMode;
  }
  return c;
}

const PAD1: tf.Conv2DBackpropFilterAttrs['pad'] = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

// The AE encoder's four blocks (4×4, stride 2, padding 1) at 64×64 and a 32×32 variant, batch 4-16.
const AE_CASES: Array<[string, FilterCase]> = [
  ['block 1, 64×64, 1→16', makeCase([16, 64, 64, 1], [4, 4, 1, 16], 2, PAD1)],
  ['block 2, 32×32, 16→32', makeCase([4, 32, 32, 16], [4, 4, 16, 32], 2, PAD1)],
  ['block 3, 16×16, 32→64', makeCase([4, 16, 16, 32], [4, 4, 32, 64], 2, PAD1)],
  ['block 4, 8×8, 64→64', makeCase([4, 8, 8, 64], [4, 4, 64, 64], 2, PAD1)],
  ['block 1, 32×32, numeric pad', makeCase([4, 32, 32, 1], [4, 4, 1, 16], 2, 1)],
  ['decoder gradient, 32→16', makeCase([4, 32, 32, 16], [4, 4, 16, 32], 2, 'same')],
];

// Odd sizes, stride 1, valid/same/explicit padding, unequal strides, NCHW and rounding modes.
const ODD_CASES: Array<[string, FilterCase]> = [
  ['odd, stride 2, same', makeCase([3, 7, 9, 5], [3, 3, 5, 4], 2, 'same')],
  ['odd, stride 2, valid', makeCase([3, 7, 9, 5], [3, 3, 5, 4], 2, 'valid')],
  ['odd, stride 2, 4x4 valid', makeCase([2, 9, 8, 3], [4, 4, 3, 2], 2, 'valid')],
  ['stride 1, same', makeCase([2, 6, 5, 3], [3, 3, 3, 4], 1, 'same')],
  ['stride 1, valid', makeCase([2, 6, 5, 3], [3, 2, 3, 4], 1, 'valid')],
  ['stride 1, even same', makeCase([2, 8, 8, 2], [4, 4, 2, 3], 1, 'same')],
  [
    'explicit asymmetric padding',
    makeCase([2, 7, 6, 3], [3, 3, 3, 2], 2, [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ]),
  ],
  ['unequal strides', makeCase([2, 11, 10, 2], [3, 2, 2, 3], [3, 2], 'same')],
  ['1x1 filter, stride 2', makeCase([2, 5, 5, 3], [1, 1, 3, 4], 2, 'valid')],
  ['stride 3, kernel 2', makeCase([2, 10, 11, 2], [2, 2, 2, 2], 3, 'valid')],
  ['channels first', makeCase([2, 3, 8, 7], [3, 3, 3, 4], 2, 'same', 'NCHW')],
  ['numeric pad, ceil rounding', makeCase([2, 8, 7, 2], [3, 3, 2, 2], 2, 1, 'NHWC', 'ceil')],
];

describe('conv2DBackpropFilterWasm', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it.each([...AE_CASES, ...ODD_CASES])('matches cpu: %s', async (_name, c) => {
    const want = await filterGrad('cpu', c);
    const got = await filterGrad('wasm', c);

    expect(got.shape).toEqual(c.filterShape);
    expect(relativeError(got.data, want.data)).toBeLessThanOrEqual(1e-4);
  });

  it('matches naive dilated sum', async () => {
    // tfjs never requests a dilated filter gradient, so the per-tap path is checked against the formula itself.
    await tf.setBackend('wasm');
    const [n, h, w, cin, cout, k, s, d, p] = [2, 9, 8, 2, 3, 3, 2, 2, 1];
    const oh = Math.floor((h + 2 * p - (k - 1) * d - 1) / s) + 1;
    const ow = Math.floor((w + 2 * p - (k - 1) * d - 1) / s) + 1;
    const xv = values(n * h * w * cin, 3);
    const dyv = values(n * oh * ow * cout, 4);
    const want = new Float64Array(k * k * cin * cout);
    for (let b = 0; b < n; b++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++)
          for (let kh = 0; kh < k; kh++)
            for (let kw = 0; kw < k; kw++) {
              const r = i * s - p + kh * d;
              const col = j * s - p + kw * d;
              if (r < 0 || r >= h || col < 0 || col >= w) continue;
              for (let ci = 0; ci < cin; ci++)
                for (let co = 0; co < cout; co++) {
                  const xval = xv[((b * h + r) * w + col) * cin + ci] as number;
                  const dval = dyv[((b * oh + i) * ow + j) * cout + co] as number;
                  want[((kh * k + kw) * cin + ci) * cout + co]! += xval * dval;
                }
            }

    const x = tf.tensor4d(xv, [n, h, w, cin]);
    const dy = tf.tensor4d(dyv, [n, oh, ow, cout]);
    const attrs = { strides: s, pad: p, dataFormat: 'NHWC', filterShape: [k, k, cin, cout], dilations: d };
    const grad = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
    const got = await grad.data();
    tf.dispose([x, dy, grad]);

    expect(relativeError(got, want)).toBeLessThanOrEqual(1e-5);
  });

  it('leaks no tensors or buffers', async () => {
    await tf.setBackend('wasm');
    const [, c] = ODD_CASES[1] as [string, FilterCase];
    await filterGrad('wasm', c);
    const before = tf.memory();
    // Kernel temporaries live only in the backend, so count its buffers too.
    const buffersBefore = tf.backend().numDataIds();

    for (let i = 0; i < 3; i++) {
      await filterGrad('wasm', c);
    }

    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
  });

  it('has the kernel function type', () => {
    expectTypeOf(conv2DBackpropFilterWasm).toEqualTypeOf<tf.KernelFunc>();
  });
});
