import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { makeConv2DBackpropInputWasm } from './conv2d-backprop-input.js';
import { registerWasmTrainingKernels } from './index.js';
import { relativeError, values } from './__fixtures__/values.js';

type Shape4 = [number, number, number, number];
type Pad = tf.Conv2DBackpropInputAttrs['pad'];

interface InputCase {
  inputShape: Shape4;
  filterShape: Shape4;
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
}

/** Runs Conv2DBackpropInput on the named backend with seeded inputs and returns its shape and values. */
async function inputGrad(backend: string, c: InputCase): Promise<{ shape: number[]; data: Float32Array }> {
  await tf.setBackend(backend);
  const format = c.dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst';
  const info = tf.backend_util.computeConv2DInfo(c.inputShape, c.filterShape, c.strides, 1, c.pad, undefined, false, format);
  const dy = tf.tensor4d(values(tf.util.sizeFromShape(info.outShape), 21), info.outShape);
  const filter = tf.tensor4d(values(tf.util.sizeFromShape(c.filterShape), 22), c.filterShape);
  const attrs = { inputShape: c.inputShape, strides: c.strides, pad: c.pad, dataFormat: c.dataFormat };
  const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const result = { shape: dx.shape, data: (await dx.data()) as Float32Array };
  tf.dispose([dy, filter, dx]);
  return result;
}

function makeCase(inputShape: Shape4, filterShape: Shape4, strides: number | [number, number], pad: Pad, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): InputCase {
  return { inputShape, filterShape, strides, pad, dataFormat };
}

const PAD1: Pad = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

// The AE decoder's transposed convolutions (4×4, stride 2, padding 1) and the encoder's input gradients.
const AE_CASES: Array<[string, InputCase]> = [
  ['decoder 1, 4→8, 64→64', makeCase([16, 8, 8, 64], [4, 4, 64, 64], 2, PAD1)],
  ['decoder 2, 8→16, 64→32', makeCase([16, 16, 16, 32], [4, 4, 32, 64], 2, PAD1)],
  ['decoder 3, 16→32, 32→16', makeCase([8, 32, 32, 16], [4, 4, 16, 32], 2, PAD1)],
  ['decoder 4, 32→64, 16→1', makeCase([4, 64, 64, 1], [4, 4, 1, 16], 2, PAD1)],
  ['encoder 2 input gradient, 32×32', makeCase([8, 32, 32, 16], [4, 4, 16, 32], 2, 1)],
  ['encoder 1 input gradient, same', makeCase([4, 32, 32, 1], [4, 4, 1, 16], 2, 'same')],
];

// Odd sizes, stride 1, valid/same/explicit padding, filters that the stride does not divide, and stock cases.
const ODD_CASES: Array<[string, InputCase]> = [
  ['odd, 3x3 stride 2, same', makeCase([3, 7, 9, 5], [3, 3, 5, 4], 2, 'same')],
  ['odd, 3x3 stride 2, valid', makeCase([3, 7, 9, 5], [3, 3, 5, 4], 2, 'valid')],
  ['odd, 4x4 stride 2, valid', makeCase([2, 9, 8, 3], [4, 4, 3, 2], 2, 'valid')],
  ['5x5 stride 2, same', makeCase([2, 11, 10, 3], [5, 5, 3, 2], 2, 'same')],
  // From 8 input channels on, stride > 1 takes one convolution per phase row and a row copy.
  ['odd, 3x3 stride 2, same, 9 channels', makeCase([3, 7, 9, 9], [3, 3, 9, 4], 2, 'same')],
  ['odd, 4x4 stride 2, valid, 8 channels', makeCase([2, 9, 8, 8], [4, 4, 8, 2], 2, 'valid')],
  ['5x5 stride 2, same, 10 channels', makeCase([2, 11, 10, 10], [5, 5, 10, 2], 2, 'same')],
  ['stride 3, kernel 4, 8 channels', makeCase([2, 10, 11, 8], [4, 4, 8, 3], 3, 'valid')],
  ['one row, a phase row with no rows, 8 channels', makeCase([2, 1, 4, 8], [3, 3, 8, 2], 2, 'same')],
  [
    'explicit asymmetric padding, 8 channels',
    makeCase([2, 7, 6, 8], [3, 3, 8, 2], 2, [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ]),
  ],
  ['stride 1, same', makeCase([2, 6, 5, 3], [3, 3, 3, 4], 1, 'same')],
  ['stride 1, valid', makeCase([2, 6, 5, 3], [3, 2, 3, 4], 1, 'valid')],
  ['stride 3, kernel 2', makeCase([2, 10, 11, 2], [2, 2, 2, 2], 3, 'valid')],
  ['1x1 filter, stride 2', makeCase([2, 5, 6, 3], [1, 1, 3, 4], 2, 'valid')],
  [
    'explicit asymmetric padding',
    makeCase([2, 7, 6, 3], [3, 3, 3, 2], 2, [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ]),
  ],
  [
    'padding beyond the filter',
    makeCase([2, 6, 6, 2], [3, 3, 2, 3], 2, [
      [0, 0],
      [4, 4],
      [4, 4],
      [0, 0],
    ]),
  ],
  ['unequal strides, stock path', makeCase([2, 11, 10, 2], [3, 2, 2, 3], [3, 2], 'same')],
  ['channels first, stock path', makeCase([2, 3, 8, 7], [3, 3, 3, 4], 2, 'same', 'NCHW')],
];

describe('makeConv2DBackpropInputWasm', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it.each([...AE_CASES, ...ODD_CASES])('matches cpu: %s', async (_name, c) => {
    const want = await inputGrad('cpu', c);
    const got = await inputGrad('wasm', c);

    expect(got.shape).toEqual(c.inputShape);
    expect(relativeError(got.data, want.data)).toBeLessThanOrEqual(1e-4);
  });

  it('matches conv2dTranspose on cpu', async () => {
    // The public op the AE decoder calls, with a 'same' output size.
    const run = async (backend: string): Promise<Float32Array> => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(values(4 * 8 * 8 * 16, 23), [4, 8, 8, 16]);
      const w = tf.tensor4d(values(4 * 4 * 8 * 16, 24), [4, 4, 8, 16]);
      const y = tf.conv2dTranspose(x, w, [4, 16, 16, 8], 2, 'same');
      const data = (await y.data()) as Float32Array;
      tf.dispose([x, w, y]);
      return data;
    };

    const want = await run('cpu');
    const got = await run('wasm');

    expect(relativeError(got, want)).toBeLessThanOrEqual(1e-4);
  });

  it('leaks no tensors or buffers', async () => {
    await tf.setBackend('wasm');
    const cases = [AE_CASES[3], ODD_CASES[3]].map((entry) => (entry as [string, InputCase])[1]);
    for (const c of cases) await inputGrad('wasm', c);
    const before = tf.memory();
    // Kernel temporaries live only in the backend, so count its buffers too.
    const buffersBefore = tf.backend().numDataIds();

    for (let i = 0; i < 3; i++) {
      for (const c of cases) await inputGrad('wasm', c);
    }

    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
  });

  it('throws without stock kernel', () => {
    expect(() => makeConv2DBackpropInputWasm(null)).toThrow(/stock wasm 'Conv2DBackpropInput' kernel is missing/);
    expectTypeOf(makeConv2DBackpropInputWasm).returns.toEqualTypeOf<tf.KernelFunc>();
  });
});
