/**
 * The wasm kernels d2ue adds for training (see ./wasm/): Conv2DBackpropFilter, which tfjs-backend-wasm 4.22 lacks,
 * and faster BatchMatMul and Conv2DBackpropInput.
 */
export function registerWasmTrainingKernels(): void {
  // Filled in by ./wasm/index.ts.
}
