/**
 * BatchMatMul for the wasm backend that keeps products on the XNNPACK path.
 *
 * tfjs-backend-wasm 4.22 sends a product to XNNPACK only when neither operand is transposed and the batch is 1;
 * with a transpose flag it runs a scalar loop, which is what every Dense backward pass does (dX = dY·Wᵀ,
 * dW = Xᵀ·dY). For a batch of 1 this kernel materialises transposes so that the stock kernel sees no flag,
 * choosing the cheaper of two equivalent forms (counted in elements copied):
 *   direct:   C = op(A) · op(B)          copies op(A) if A is flagged, op(B) if B is flagged
 *   swapped:  C = (op(B)ᵀ · op(A)ᵀ)ᵀ     copies A if A is not flagged, B if B is not flagged, and C
 * e.g. A·Bᵀ with a large B is computed as (B·Aᵀ)ᵀ. Measured with scripts/bench-wasm-step.mjs (AE step, batch 64,
 * 2-core CPU): BatchMatMul fell from ~1 460 to ~90 ms per step. Batched products (batch > 1) and non-float
 * inputs go to the stock kernel unchanged. The products are the same sums in another order, so results match the stock kernel to rounding.
 */
import * as tf from '@tensorflow/tfjs-core';

import { callWasmKernel, disposeAll, requireStockKernel, reshapeView, type WasmBackendLike } from './kernel-utils.js';

/** The layout the fast path picks for one product (exported for tests and the benchmark). */
export interface MatMulPlan {
  form: 'stock' | 'direct' | 'swapped';
  /** Elements copied by the transposes the plan adds. */
  copied: number;
}

/**
 * Picks the cheaper flag-free form for C[m×n] = op(A)·op(B) with inner size k.
 *
 * @example
 * planMatMul(64, 1024, 2048, false, true); // { form: 'swapped', copied: ... }
 */
export function planMatMul(m: number, k: number, n: number, transposeA: boolean, transposeB: boolean): MatMulPlan {
  if (!transposeA && !transposeB) {
    return { form: 'stock', copied: 0 };
  }
  const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0);
  const swapped = (transposeA ? 0 : m * k) + (transposeB ? 0 : k * n) + m * n;
  return direct <= swapped ? { form: 'direct', copied: direct } : { form: 'swapped', copied: swapped };
}

/**
 * Makes the wasm `BatchMatMul` kernel function around the stock one (which does the XNNPACK call).
 *
 * @example
 * const kernelFunc = makeBatchMatMulWasm(tf.getKernel(tf.BatchMatMul, 'wasm').kernelFunc);
 * @throws Error when the stock wasm kernel is missing.
 */
export function makeBatchMatMulWasm(original: tf.KernelFunc | null): tf.KernelFunc {
  const stock = requireStockKernel(tf.BatchMatMul, original);

  return (args) => {
    const { inputs, backend, attrs } = args;
    const wasm = backend as WasmBackendLike;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;

    // Only a single product with a transpose flag is rewritten.
    const batchA = tf.util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.shape.slice(0, -2));
    if (batchA !== 1 || batchB !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return stock(args);
    }
    const aRows = a.shape[a.shape.length - 2] as number;
    const aCols = a.shape[a.shape.length - 1] as number;
    const bRows = b.shape[b.shape.length - 2] as number;
    const bCols = b.shape[b.shape.length - 1] as number;
    const m = transposeA ? aCols : aRows;
    const k = transposeA ? aRows : aCols;
    const n = transposeB ? bRows : bCols;
    const kB = transposeB ? bCols : bRows;
    const plan = planMatMul(m, k, n, transposeA, transposeB);
    if (plan.form === 'stock' || k !== kB) {
      // No flag, or mismatched inner sizes (the stock kernel reports those).
      return stock(args);
    }

    // The rank of the result follows the inputs (e.g. [1, m, n] for rank-3 operands).
    const outShape = [...(a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2), m, n];
    const a2 = reshapeView(a, [aRows, aCols]);
    const b2 = reshapeView(b, [bRows, bCols]);
    const temps: tf.TensorInfo[] = [];
    const transpose2d = (x: tf.TensorInfo): tf.TensorInfo => {
      const t = callWasmKernel(tf.Transpose, { x }, { perm: [1, 0] }, wasm);
      temps.push(t);
      return t;
    };
    const matMul = (left: tf.TensorInfo, right: tf.TensorInfo): tf.TensorInfo =>
      stock({ inputs: { a: left, b: right }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;

    try {
      let out: tf.TensorInfo;
      if (plan.form === 'direct') {
        out = matMul(transposeA ? transpose2d(a2) : a2, transposeB ? transpose2d(b2) : b2);
      } else {
        // Cᵀ = op(B)ᵀ · op(A)ᵀ, where op(B)ᵀ is B itself when B is flagged, and likewise for A.
        const product = matMul(transposeB ? b2 : transpose2d(b2), transposeA ? a2 : transpose2d(a2));
        temps.push(product);
        out = callWasmKernel(tf.Transpose, { x: product }, { perm: [1, 0] }, wasm);
      }
      return { ...out, shape: outShape };
    } finally {
      disposeAll(wasm, temps);
    }
  };
}
