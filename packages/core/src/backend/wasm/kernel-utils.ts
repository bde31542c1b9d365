/**
 * Helpers shared by the wasm training kernels: calling another registered wasm kernel from inside a kernel,
 * freeing its temporaries, and replacing a stock wasm kernel while keeping the original for the cases it handles.
 *
 * Kernels called here run below the autodiff tape (a kernel function is not taped), so composing kernels inside a
 * kernel leaves gradients untouched. Every intermediate result must be freed with `backend.disposeData`, because
 * the engine only tracks the TensorInfo a kernel returns.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The wasm backend name in the tfjs kernel registry. */
export const WASM = 'wasm';

/** The part of the wasm backend object (`BackendWasm`) that these kernels use. */
export interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  /** Adds a reference to a buffer; `disposeData` frees it when the last reference goes. */
  incRef(dataId: object): void;
  /** A view of a tensor's values in the wasm heap; it goes stale when an allocation grows the heap. */
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
  /** A copy of a tensor's values out of the wasm heap. */
  readSync(dataId: object): tf.backend_util.BackendValues;
  /** A new tensor in the wasm heap, filled with `values` when given. */
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

/**
 * Marks a kernel function installed by d2ue and keeps the stock kernel it replaced. `Symbol.for` makes the mark
 * visible to a second copy of this module (source under vitest and dist at run time), so registration stays
 * idempotent across copies.
 */
const ORIGINAL = Symbol.for('d2ue.wasmTrainingKernel.original');

type MarkedKernelFunc = tf.KernelFunc & { [ORIGINAL]?: tf.KernelFunc | null };

/** A kernel function that receives the stock wasm kernel it replaces, or null where wasm has none. */
export type KernelFactory = (original: tf.KernelFunc | null) => tf.KernelFunc;

/**
 * Runs the wasm kernel registered under `name` on TensorInfos and returns its single output.
 *
 * @example
 * const t = callWasmKernel(tf.Transpose, { x }, { perm: [3, 1, 2, 0] }, backend);
 * @throws Error when no wasm kernel is registered under `name` (the wasm backend package was not loaded).
 */
export function callWasmKernel(
  name: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backend: WasmBackendLike,
): tf.TensorInfo {
  const config = tf.getKernel(name, WASM);
  if (config == null) {
    throw new Error(
      `d2ue wasm kernels: the wasm kernel '${name}' is not registered; import '@tensorflow/tfjs-backend-wasm' ` +
        'before running wasm training kernels.',
    );
  }
  const out = config.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? (out[0] as tf.TensorInfo) : out;
}

/**
 * Returns the stock wasm kernel that a d2ue kernel wraps.
 *
 * @example
 * const stock = requireStockKernel(tf.Sum, original);
 * @throws Error when it is missing, which means the wasm backend package was not imported first.
 */
export function requireStockKernel(name: string, original: tf.KernelFunc | null): tf.KernelFunc {
  if (original == null) {
    throw new Error(
      `d2ue wasm kernels: the stock wasm '${name}' kernel is missing; import '@tensorflow/tfjs-backend-wasm' before ` +
        'registering the training kernels.',
    );
  }
  return original;
}

/**
 * Frees kernel temporaries. Skips null entries and views (TensorInfos that share an input's dataId without owning
 * a reference), which the caller passes as `keep`.
 *
 * @example
 * disposeAll(backend, [padded, transposed]);
 */
export function disposeAll(backend: WasmBackendLike, infos: Array<tf.TensorInfo | null>): void {
  for (const info of infos) {
    if (info != null) {
      backend.disposeData(info.dataId);
    }
  }
}

/**
 * Creates a view of `x` with another shape and the same data. The view owns no reference, so never dispose or
 * return it.
 *
 * @example
 * const x2 = reshapeView(x, [rows, cols]);
 */
export function reshapeView(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  if (tf.util.sizeFromShape(shape) !== tf.util.sizeFromShape(x.shape)) {
    throw new Error(`d2ue wasm kernels: cannot view shape [${x.shape.join(', ')}] as [${shape.join(', ')}].`);
  }
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

/**
 * Installs the kernel made by `factory` under `name` for wasm, handing it the stock kernel it replaces (kept with
 * its setup function, so the stock kernel's wasm bindings are created whenever the backend initialises).
 * Does nothing when a d2ue kernel is already installed under `name`.
 *
 * @example
 * overrideWasmKernel(tf.BatchMatMul, (original) => (args) => original!(args));
 * @returns true when it installed the kernel, false when one was already installed.
 */
export function overrideWasmKernel(name: string, factory: KernelFactory): boolean {
  const current = tf.getKernel(name, WASM);
  if (current != null && (current.kernelFunc as MarkedKernelFunc)[ORIGINAL] !== undefined) {
    return false;
  }

  const original = current?.kernelFunc ?? null;
  const kernelFunc = factory(original) as MarkedKernelFunc;
  kernelFunc[ORIGINAL] = original;

  if (current != null) {
    tf.unregisterKernel(name, WASM);
  }
  const config: tf.KernelConfig = { kernelName: name, backendName: WASM, kernelFunc };
  if (current?.setupFunc != null) {
    config.setupFunc = current.setupFunc;
  }
  if (current?.disposeFunc != null) {
    config.disposeFunc = current.disposeFunc;
  }
  tf.registerKernel(config);
  return true;
}

/**
 * Returns the stock wasm kernel that a d2ue kernel replaced (null when wasm had none), or undefined when no d2ue
 * kernel is registered under `name`. Tests use it to compare against the stock path.
 *
 * @example
 * const stock = originalWasmKernel(tf.BatchMatMul);
 */
export function originalWasmKernel(name: string): tf.KernelFunc | null | undefined {
  const current = tf.getKernel(name, WASM);
  return current == null ? undefined : (current.kernelFunc as MarkedKernelFunc)[ORIGINAL];
}
