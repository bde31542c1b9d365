/**
 * Conv2DBackpropInput for the wasm backend by phase decomposition. The stock wasm kernel is a scalar loop; it
 * runs every transposed convolution of the AE decoder and every convolution's input gradient.
 *
 * Formula (forward y = conv2d(x, W), stride s, padding top p_t, filter KH; the same along the width):
 *   dx[h] = Σ_{oh, kh : oh·s − p_t + kh = h} dy[oh] · W[kh]ᵀ
 * Write h + p_t = q·s + r with 0 ≤ r < s. Then kh = j·s + r and oh = q − j, so each phase r is a stride-1
 * correlation of dy with the flipped sub-filter W_r[j] = W[j·s + r]:
 *   dx[q·s + r − p_t] = Σ_{j < J} dy[q − j] · W[j·s + r]ᵀ,   J = ⌈KH / s⌉ (W zero-padded to J·s rows).
 * Two variants stack the phases as output channels of stride-1 Conv2Ds with J × J filters, so that each XNNPACK call
 * does the arithmetic of several phases:
 * - rowPhases (Cin ≥ 8): one convolution per phase row r_h over all phase columns. Its output comes out
 *   interleaved along the width, and one copy per row of dx interleaves the rows and crops the padding p_t, p_l.
 * - stackedPhases (Cin < 8 or s = 1): all s² phases in one convolution, then a transpose interleaves them (as
 *   DepthToSpace(s) would) and a slice crops the padding.
 * Measured with scripts/bench-wasm-step.mjs (2-core CPU, batch 64): 4–11 ms per AE layer against 18–114 ms for
 * the stock kernel with stackedPhases alone, and an AE training step from ~1 000 to ~560 ms. rowPhases then cut
 * the [64, 16, 16, 32] → [64, 32, 32, 16] call from 20 to 14 ms and [64, 8, 8, 64] → [64, 16, 16, 32] from 21 to 14 ms
 * (new input per call). Giving each phase row only the rows it contributes (trimRows) then took the kernel's share
 * of an AE step from 66 to 58 ms and the step from about 350 to 335 ms.
 *
 * Shapes: dy [N, OH, OW, Cout], filter [KH, KW, Cin, Cout], output `inputShape` [N, H, W, Cin].
 * NOTE: NCHW data and unequal strides along height and width go to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs-core';

import { callWasmKernel, disposeAll, requireStockKernel, reshapeView, type WasmBackendLike } from './kernel-utils.js';

/** The plan for one spatial axis of the phase-decomposed convolution: sub-filter length, padding and crop. */
interface AxisPlan {
  /** Sub-filter length J = ⌈K / s⌉. */
  taps: number;
  /** Padding before dy for the stride-1 convolution. */
  padBefore: number;
  /** Padding after dy for the stride-1 convolution. */
  padAfter: number;
  /** First row (column) of the interleaved result that belongs to dx. */
  cropBegin: number;
}

/**
 * From this many input channels on, one convolution per phase row plus a row copy beats one stacked convolution
 * plus a transpose. Below it (the AE's last layer, Cin = 1) convolutions with 2·Cin output channels waste XNNPACK's
 * vector width. Measured per call at batch 64 (2-core CPU): Cin = 32, 13 against 15 ms for the two convolutions
 * alone; Cin = 16 equal; Cin = 1, 6.2 against 3.0 ms.
 */
const MIN_ROW_PHASE_CHANNELS = 8;

/**
 * Plans one axis, or returns null when the stacked form needs a negative padding (padding ≥ J·s, far outside
 * what a convolution layer uses).
 */
function planAxis(inSize: number, outSize: number, filterSize: number, stride: number, padStart: number): AxisPlan | null {
  const taps = Math.ceil(filterSize / stride);
  const firstPhase = Math.floor(padStart / stride);
  const lastPhase = Math.floor((inSize - 1 + padStart) / stride);
  const padBefore = taps - 1 - firstPhase;
  if (padBefore < 0) {
    return null;
  }
  // Output rows of the stride-1 convolution are OH + padBefore + padAfter − taps + 1; extra rows are cropped.
  const rows = lastPhase - firstPhase + 1;
  const padAfter = Math.max(0, rows - outSize - padBefore + taps - 1);
  return { taps, padBefore, padAfter, cropBegin: padStart - firstPhase * stride };
}

/**
 * Makes the wasm `Conv2DBackpropInput` kernel function around the stock one (used for the cases listed in the
 * file header).
 *
 * @example
 * const kernelFunc = makeConv2DBackpropInputWasm(tf.getKernel(tf.Conv2DBackpropInput, 'wasm').kernelFunc);
 * @throws Error when the stock wasm kernel is missing.
 */
export function makeConv2DBackpropInputWasm(original: tf.KernelFunc | null): tf.KernelFunc {
  const stock = requireStockKernel(tf.Conv2DBackpropInput, original);

  return (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as WasmBackendLike;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (a.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') {
      return stock(args);
    }

    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
      false,
      'channelsLast',
    );
    const stride = info.strideHeight;
    const rows = planAxis(info.inHeight, dy.shape[1] as number, info.filterHeight, stride, info.padInfo.top);
    const cols = planAxis(info.inWidth, dy.shape[2] as number, info.filterWidth, stride, info.padInfo.left);
    if (info.strideWidth !== stride || rows == null || cols == null) {
      return stock(args);
    }
    return stride > 1 && info.inChannels >= MIN_ROW_PHASE_CHANNELS
      ? rowPhases(dy, filter, info, rows, cols, wasm)
      : stackedPhases(dy, filter, info, rows, cols, wasm);
  };
}

/** Runs the stride-1 correlation of dy with stacked sub-filters, with the padding of the two axis plans. */
function phaseConv(dy: tf.TensorInfo, subFilters: tf.TensorInfo, rows: AxisPlan, cols: AxisPlan, backend: WasmBackendLike): tf.TensorInfo {
  return callWasmKernel(
    tf.Conv2D,
    { x: dy, filter: subFilters },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [rows.padBefore, rows.padAfter],
        [cols.padBefore, cols.padAfter],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    },
    backend,
  );
}

/**
 * Computes dx with one convolution per phase row r_h, the phase columns stacked as its output channels. Its output
 * [N, Q, Qw, s·Cin] has the layout of [N, Q, Qw·s, Cin]: the columns come out interleaved. Each row of dx is then
 * one contiguous run of W·Cin values in the output of phase row (h + p_t) mod s, which one copy per row moves,
 * cropping p_t and p_l on the way. No transpose and no slice is needed.
 */
function rowPhases(
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  rows: AxisPlan,
  cols: AxisPlan,
  backend: WasmBackendLike,
): tf.TensorInfo {
  const s = info.strideHeight;
  const { inChannels, outChannels, batchSize, inHeight, inWidth } = info;
  const temps: tf.TensorInfo[] = [];
  try {
    // One copy of the filter out of the heap serves every phase row.
    const weights = backend.readSync(filter.dataId) as Float32Array;
    const phaseRows: tf.TensorInfo[] = [];
    const skipped: number[] = [];
    for (let rh = 0; rh < s; rh++) {
      const subFilters = stackSubFilters(filter.shape, weights, rows.taps, cols.taps, s, [rh], inChannels, outChannels, backend);
      temps.push(subFilters);
      const plan = trimRows(rows, rh, s, inHeight, dy.shape[1] as number);
      const phases = phaseConv(dy, subFilters, plan.rows, cols, backend);
      temps.push(phases);
      phaseRows.push(phases);
      skipped.push(plan.skipped);
    }

    // Views into the wasm heap are taken after the last allocation, which may grow (and so move) the heap.
    const out = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
    const target = backend.typedArrayFromHeap(out) as Float32Array;
    const sources = phaseRows.map((phases) => backend.typedArrayFromHeap(phases) as Float32Array);
    const qCols = phaseRows[0]!.shape[2] as number;
    const sourceRow = qCols * s * inChannels;
    const run = inWidth * inChannels;
    const columnOffset = cols.cropBegin * inChannels;
    for (let n = 0; n < batchSize; n++) {
      for (let h = 0; h < inHeight; h++) {
        const row = h + rows.cropBegin;
        const phase = row % s;
        const qRows = phaseRows[phase]!.shape[1] as number;
        const start = (n * qRows + Math.floor(row / s) - (skipped[phase] as number)) * sourceRow + columnOffset;
        target.set((sources[phase] as Float32Array).subarray(start, start + run), (n * inHeight + h) * run);
      }
    }
    return out;
  } finally {
    disposeAll(backend, temps);
  }
}

/**
 * Narrows the shared row plan to the rows phase row `rh` contributes to dx. The shared plan computes every phase
 * row over the same range. For stride 2 and padding 1 that range contains one row per phase that the crop drops,
 * so a 4 × 4 output per phase took 5 rows. `skipped` is the number of leading rows of the shared range left out.
 */
function trimRows(rows: AxisPlan, rh: number, s: number, inHeight: number, outHeight: number): { rows: AxisPlan; skipped: number } {
  // dx keeps rows cropBegin … cropBegin + H − 1 of the interleaved grid. Phase rh owns the rows ≡ rh (mod s).
  const modulo = (a: number): number => ((a % s) + s) % s;
  const firstRow = rows.cropBegin + modulo(rh - rows.cropBegin);
  const lastRow = rows.cropBegin + inHeight - 1 - modulo(rows.cropBegin + inHeight - 1 - rh);
  if (lastRow < firstRow) {
    return { rows, skipped: 0 };
  }
  const skipped = Math.min(Math.floor(firstRow / s), rows.padBefore);
  const padBefore = rows.padBefore - skipped;
  const needed = Math.floor(lastRow / s) - skipped + 1;
  const padAfter = Math.max(0, needed - outHeight - padBefore + rows.taps - 1);
  return { rows: { ...rows, padBefore, padAfter }, skipped };
}

/**
 * Computes dx with all s² phases stacked as the output channels (r_h·s + r_w)·Cin + ci of one convolution, then a
 * transpose that interleaves them (as DepthToSpace(s) would) and a slice that crops p_t, p_l.
 */
function stackedPhases(
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  rows: AxisPlan,
  cols: AxisPlan,
  backend: WasmBackendLike,
): tf.TensorInfo {
  const s = info.strideHeight;
  const { inChannels, outChannels } = info;
  const temps: tf.TensorInfo[] = [];
  try {
    const allRows = Array.from({ length: s }, (_, rh) => rh);
    const weights = backend.readSync(filter.dataId) as Float32Array;
    const subFilters = stackSubFilters(filter.shape, weights, rows.taps, cols.taps, s, allRows, inChannels, outChannels, backend);
    temps.push(subFilters);
    const phases = phaseConv(dy, subFilters, rows, cols, backend);
    temps.push(phases);

    // Interleave the phases: [N, Q, Qw, s·s·Cin] viewed as [N·Q, Qw, s, s·Cin], swap the middle axes → [N, Q·s,
    // Qw·s, Cin]. This equals DepthToSpace(s) but the wasm Transpose is ~50× faster than its DepthToSpace.
    let interleaved = phases;
    if (s > 1) {
      const [batch, qRows, qCols] = phases.shape as [number, number, number, number];
      const swapped = callWasmKernel(
        tf.Transpose,
        { x: reshapeView(phases, [batch * qRows, qCols, s, s * inChannels]) },
        { perm: [0, 2, 1, 3] },
        backend,
      );
      interleaved = { ...swapped, shape: [batch, qRows * s, qCols * s, inChannels] };
      temps.push(interleaved);
    }

    const outShape = [info.batchSize, info.inHeight, info.inWidth, inChannels];
    const sameShape =
      rows.cropBegin === 0 &&
      cols.cropBegin === 0 &&
      interleaved.shape[1] === info.inHeight &&
      interleaved.shape[2] === info.inWidth;
    if (sameShape) {
      // Hand the last temporary to the caller instead of copying it.
      temps.pop();
      return interleaved;
    }
    // Crop through a 3-D view, so the slice copies one contiguous run of W·Cin values per row. A 4-D slice copies
    // one run of Cin values per pixel, which is slow for Cin = 1.
    const [batch, rowsAll, colsAll] = interleaved.shape as [number, number, number, number];
    const cropped = callWasmKernel(
      tf.Slice,
      { x: reshapeView(interleaved, [batch, rowsAll, colsAll * inChannels]) },
      { begin: [0, rows.cropBegin, cols.cropBegin * inChannels], size: [batch, info.inHeight, info.inWidth * inChannels] },
      backend,
    );
    return { ...cropped, shape: outShape };
  } finally {
    disposeAll(backend, temps);
  }
}

/**
 * Builds the flipped sub-filters of the listed phase rows, stacked with every phase column as output channels:
 * F[t_h, t_w, co, (i·s + r_w)·Cin + ci] = W[(J_h−1−t_h)·s + r_h, (J_w−1−t_w)·s + r_w, ci, co] for r_h =
 * phaseRows[i], zero where the tap lies beyond the filter. `weights` are W's values, of shape `filterShape`. Built in JavaScript: the filter is small, and the wasm
 * rank-6 Transpose and Reverse this would otherwise take cost ~6 ms for a 4×4×64×64 filter.
 */
function stackSubFilters(
  filterShape: number[],
  weights: Float32Array,
  tapsH: number,
  tapsW: number,
  s: number,
  phaseRows: number[],
  inChannels: number,
  outChannels: number,
  backend: WasmBackendLike,
): tf.TensorInfo {
  const [filterHeight, filterWidth] = filterShape as [number, number, number, number];
  const phaseChannels = phaseRows.length * s * inChannels;
  const out = new Float32Array(tapsH * tapsW * outChannels * phaseChannels);

  for (let th = 0; th < tapsH; th++) {
    phaseRows.forEach((rh, i) => {
      const kh = (tapsH - 1 - th) * s + rh;
      if (kh >= filterHeight) return;
      for (let tw = 0; tw < tapsW; tw++) {
        for (let rw = 0; rw < s; rw++) {
          const kw = (tapsW - 1 - tw) * s + rw;
          if (kw >= filterWidth) continue;
          const source = (kh * filterWidth + kw) * inChannels * outChannels;
          const target = (th * tapsW + tw) * outChannels * phaseChannels + (i * s + rw) * inChannels;
          for (let ci = 0; ci < inChannels; ci++) {
            for (let co = 0; co < outChannels; co++) {
              out[target + co * phaseChannels + ci] = weights[source + ci * outChannels + co] as number;
            }
          }
        }
      }
    });
  }
  return backend.makeOutput([tapsH, tapsW, outChannels, phaseChannels], 'float32', undefined, out);
}
