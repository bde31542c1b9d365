/**
 * Conv2DBackpropFilter for the wasm backend, which tfjs-backend-wasm 4.22 lacks (so no conv net trains on it).
 *
 * Formula (forward y = conv2d(x, W), stride s, padding top/left p, dilation 1):
 *   dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s_h − p_t + kh, ow·s_w − p_l + kw, ci] · dy[n, oh, ow, co]
 * Read with the input channels as the batch and the batch as the channels, this is ONE stride-1 convolution:
 *   input  X' = transpose(x, [3, 1, 2, 0])   [Cin, H, W, N]
 *   filter F' = transpose(dy, [1, 2, 0, 3])  [OH, OW, N, Cout], dilated by the forward stride
 *   padding: the forward top/left padding; bottom/right chosen so that the output is exactly KH × KW
 *   result [Cin, KH, KW, Cout] → transpose [1, 2, 0, 3] → [KH, KW, Cin, Cout].
 * Rows and columns the forward convolution never read (a stride that does not divide the input) are sliced off
 * first, since a negative padding is not expressible. Measured with scripts/bench-wasm-step.mjs (2-core CPU):
 * ~100 ms of Conv2DBackpropFilter per AE training step at batch 64; the tests match the cpu kernel to 1e-4.
 *
 * Shapes: x [N, H, W, Cin] (NCHW is transposed to NHWC first), dy [N, OH, OW, Cout], output `filterShape`
 * [KH, KW, Cin, Cout]. A `dilations` attribute other than 1 (tfjs never sends one: its conv2d gradient rejects
 * dilated convolutions) takes the slower per-tap composition in `filterGradPerTap`.
 */
import * as tf from '@tensorflow/tfjs-core';

import { callWasmKernel, disposeAll, reshapeView, type WasmBackendLike } from './kernel-utils.js';

/** Spatial geometry of the forward convolution whose filter gradient is wanted (NHWC terms). */
interface FilterGradGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/**
 * The wasm kernel function for `Conv2DBackpropFilter` (inputs x, dy; attrs as `tf.Conv2DBackpropFilterAttrs`).
 *
 * @example
 * tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilterWasm });
 * @throws Error from tfjs when the attributes describe an impossible convolution.
 */
export const conv2DBackpropFilterWasm: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as WasmBackendLike;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };
  const temps: tf.TensorInfo[] = [];

  try {
    // Padding comes from the attributes in the caller's layout; the computation itself runs in NHWC.
    const channelsFirst = a.dataFormat === 'NCHW';
    const dilations = a.dilations ?? 1;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      a.filterShape,
      a.strides,
      dilations,
      a.pad,
      a.dimRoundingMode,
      false,
      channelsFirst ? 'channelsFirst' : 'channelsLast',
    );
    let xh = x;
    let dyh = dy;
    if (channelsFirst) {
      xh = callWasmKernel(tf.Transpose, { x }, { perm: [0, 2, 3, 1] }, wasm);
      temps.push(xh);
      dyh = callWasmKernel(tf.Transpose, { x: dy }, { perm: [0, 2, 3, 1] }, wasm);
      temps.push(dyh);
    }
    const geometry: FilterGradGeometry = {
      batch: info.batchSize,
      inHeight: info.inHeight,
      inWidth: info.inWidth,
      inChannels: info.inChannels,
      outHeight: dyh.shape[1] as number,
      outWidth: dyh.shape[2] as number,
      outChannels: info.outChannels,
      filterHeight: info.filterHeight,
      filterWidth: info.filterWidth,
      strideHeight: info.strideHeight,
      strideWidth: info.strideWidth,
      dilationHeight: info.dilationHeight,
      dilationWidth: info.dilationWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    };

    if (geometry.dilationHeight !== 1 || geometry.dilationWidth !== 1) {
      return filterGradPerTap(xh, dyh, geometry, wasm);
    }
    return filterGradOneConv(xh, dyh, geometry, wasm);
  } finally {
    disposeAll(wasm, temps);
  }
};

/** Computes the filter gradient as one convolution (see the file header); x and dy in NHWC. */
function filterGradOneConv(
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: FilterGradGeometry,
  backend: WasmBackendLike,
): tf.TensorInfo {
  const filterShape = [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels];

  // Last input row (column) the forward convolution read, plus one; anything beyond is never used.
  const usedHeight = Math.min(g.inHeight, (g.outHeight - 1) * g.strideHeight - g.padTop + g.filterHeight);
  const usedWidth = Math.min(g.inWidth, (g.outWidth - 1) * g.strideWidth - g.padLeft + g.filterWidth);
  if (usedHeight <= 0 || usedWidth <= 0 || g.outHeight === 0 || g.outWidth === 0) {
    // Every tap read padding only, so the gradient is exactly zero.
    return callWasmKernel(tf.Fill, {}, { shape: filterShape, value: 0, dtype: 'float32' }, backend);
  }
  const padBottom = g.filterHeight + (g.outHeight - 1) * g.strideHeight - usedHeight - g.padTop;
  const padRight = g.filterWidth + (g.outWidth - 1) * g.strideWidth - usedWidth - g.padLeft;

  const temps: tf.TensorInfo[] = [];
  try {
    let xUsed = x;
    if (usedHeight < g.inHeight || usedWidth < g.inWidth) {
      xUsed = callWasmKernel(
        tf.Slice,
        { x },
        { begin: [0, 0, 0, 0], size: [g.batch, usedHeight, usedWidth, g.inChannels] },
        backend,
      );
      temps.push(xUsed);
    }

    // Channels become the batch and the batch becomes the channels.
    const xSwapped = swapBatchAndChannels(xUsed, backend);
    temps.push(xSwapped);
    const dyFilter = callWasmKernel(tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] }, backend);
    temps.push(dyFilter);

    const grad = callWasmKernel(
      tf.Conv2D,
      { x: xSwapped, filter: dyFilter },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [g.padTop, padBottom],
          [g.padLeft, padRight],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [g.strideHeight, g.strideWidth],
      },
      backend,
    );
    temps.push(grad);

    return callWasmKernel(tf.Transpose, { x: grad }, { perm: [1, 2, 0, 3] }, backend);
  } finally {
    disposeAll(backend, temps);
  }
}

/**
 * transpose(x, [3, 1, 2, 0]) for x [N, H, W, C], as a 2-D transpose [N, H·W·C] → [H·W·C, N] followed (for C > 1)
 * by a 3-D transpose [H·W, C, N] → [C, H·W, N] that moves whole runs of N values. The wasm backend runs a
 * rank-4 permutation element by element; this pair took a [64, 32, 32, 16] input from ~13 to ~8 ms (2-core CPU,
 * noisy) and gives the identical array.
 */
function swapBatchAndChannels(x: tf.TensorInfo, backend: WasmBackendLike): tf.TensorInfo {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const flipped = callWasmKernel(tf.Transpose, { x: reshapeView(x, [n, h * w * c]) }, { perm: [1, 0] }, backend);
  if (c === 1) {
    return { ...flipped, shape: [1, h, w, n] };
  }
  try {
    const moved = callWasmKernel(tf.Transpose, { x: reshapeView(flipped, [h * w, c, n]) }, { perm: [1, 0, 2] }, backend);
    return { ...moved, shape: [c, h, w, n] };
  } finally {
    disposeAll(backend, [flipped]);
  }
}

/**
 * Computes the filter gradient with one matrix product per filter tap (general but slower):
 *   dW[kh, kw] = window(kh, kw)ᵀ · dy, window = the x pixels tap (kh, kw) meets, as [N·OH·OW, Cin].
 * Handles dilated forward convolutions. x and dy in NHWC.
 */
function filterGradPerTap(
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: FilterGradGeometry,
  backend: WasmBackendLike,
): tf.TensorInfo {
  const rows = g.batch * g.outHeight * g.outWidth;
  const spanHeight = (g.outHeight - 1) * g.strideHeight + 1;
  const spanWidth = (g.outWidth - 1) * g.strideWidth + 1;
  const needHeight = (g.filterHeight - 1) * g.dilationHeight + spanHeight;
  const needWidth = (g.filterWidth - 1) * g.dilationWidth + spanWidth;
  const padBottom = Math.max(0, needHeight - g.padTop - g.inHeight);
  const padRight = Math.max(0, needWidth - g.padLeft - g.inWidth);

  const temps: tf.TensorInfo[] = [];
  try {
    const padded = callWasmKernel(
      tf.PadV2,
      { x },
      {
        paddings: [
          [0, 0],
          [g.padTop, padBottom],
          [g.padLeft, padRight],
          [0, 0],
        ],
        constantValue: 0,
      },
      backend,
    );
    temps.push(padded);
    const dy2d = reshapeView(dy, [rows, g.outChannels]);

    const taps: tf.TensorInfo[] = [];
    for (let kh = 0; kh < g.filterHeight; kh++) {
      for (let kw = 0; kw < g.filterWidth; kw++) {
        const top = kh * g.dilationHeight;
        const left = kw * g.dilationWidth;
        const window = callWasmKernel(
          tf.StridedSlice,
          { x: padded },
          {
            begin: [0, top, left, 0],
            end: [g.batch, top + spanHeight, left + spanWidth, g.inChannels],
            strides: [1, g.strideHeight, g.strideWidth, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          },
          backend,
        );
        temps.push(window);
        const tap = callWasmKernel(
          tf.BatchMatMul,
          { a: reshapeView(window, [rows, g.inChannels]), b: dy2d },
          { transposeA: true, transposeB: false },
          backend,
        );
        temps.push(tap);
        taps.push(tap);
      }
    }

    const stacked = callWasmKernel(
      tf.Concat,
      taps as unknown as tf.NamedTensorInfoMap, // Concat takes its inputs as an array.
      { axis: 0 },
      backend,
    );
    return reshapeOwned(stacked, [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  } finally {
    disposeAll(backend, temps);
  }
}

/** Gives an owned TensorInfo a new shape (the result keeps the reference, so it may be returned). */
function reshapeOwned(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { ...reshapeView(x, shape) };
}
