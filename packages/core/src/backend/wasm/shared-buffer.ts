/**
 * Identity, and Cast to the input's own dtype, for the wasm backend without a copy.
 *
 * The engine clones (Identity) every tensor that a gradient function saves for the backward pass, and
 * `tf.moments` casts float32 inputs to float32. The stock wasm kernels copy the whole buffer each time: over 300
 * copies in one AE training step. tfjs tensors are immutable, and the wasm backend counts references per buffer,
 * so these kernels return the input's buffer with one more reference, as the cpu backend's Identity does.
 * String tensors and casts to another dtype go to the stock kernels.
 */
import * as tf from '@tensorflow/tfjs-core';

import { requireStockKernel, type WasmBackendLike } from './kernel-utils.js';

/** Returns a new TensorInfo on `x`'s buffer, counted as one more reference to it. */
function share(x: tf.TensorInfo, backend: WasmBackendLike): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/**
 * Makes the wasm `Identity` kernel function around the stock one (kept for string tensors).
 *
 * @example
 * const kernelFunc = makeIdentityWasm(tf.getKernel(tf.Identity, 'wasm').kernelFunc);
 */
export function makeIdentityWasm(original: tf.KernelFunc | null): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string' && original != null) {
      return original(args);
    }
    return share(x, args.backend as WasmBackendLike);
  };
}

/**
 * Makes the wasm `Cast` kernel function around the stock one (kept for casts to another dtype).
 *
 * @example
 * const kernelFunc = makeCastWasm(tf.getKernel(tf.Cast, 'wasm').kernelFunc);
 * @throws Error when the stock wasm kernel is missing.
 */
export function makeCastWasm(original: tf.KernelFunc | null): tf.KernelFunc {
  const stock = requireStockKernel(tf.Cast, original);
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as unknown as tf.CastAttrs;
    if (dtype !== x.dtype || x.dtype === 'string') {
      return stock(args);
    }
    return share(x, args.backend as WasmBackendLike);
  };
}
