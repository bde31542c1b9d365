/**
 * Loading the libtensorflow backends (`node`: @tensorflow/tfjs-node, `gpu`: @tensorflow/tfjs-node-gpu).
 *
 * Both are optionalDependencies of @d2ue/core: their install script downloads libtensorflow 2.9.1, so without
 * internet access it fails and npm removes the package while `npm ci` still succeeds. Loading can fail in three
 * ways, and each gets its own advice. The package may be missing (MODULE_NOT_FOUND). It may be installed without
 * its native addon ("tfjs_binding.node can not be found"), because the download failed or install scripts were
 * skipped. Or (`gpu` only) the addon cannot load libtensorflow's CUDA libraries.
 */
import { D2ueError } from '../errors.js';

/** The npm package behind each libtensorflow backend. */
export const NATIVE_PACKAGES = {
  node: '@tensorflow/tfjs-node',
  gpu: '@tensorflow/tfjs-node-gpu',
} as const;

/** The version that matches the project's tfjs-core; another version brings a second tfjs-core. */
export const NATIVE_VERSION = '4.22.0';

/** The platform libtensorflow 2.9.1's GPU build was tested on (tensorflow.org, "Tested build configurations"). */
export const GPU_REQUIREMENTS = 'Linux x86_64, an NVIDIA driver, CUDA 11.2 and cuDNN 8.1 on LD_LIBRARY_PATH';

/** Returns the exact command that installs a native backend into the current project. */
export function installCommand(backend: 'node' | 'gpu'): string {
  return `npm install ${NATIVE_PACKAGES[backend]}@${NATIVE_VERSION}`;
}

/**
 * Imports tfjs-node or tfjs-node-gpu, which registers the `tensorflow` backend.
 *
 * @example
 * await loadNativeBackend('node');
 * @throws D2ueError (backend) when the package, its addon or (gpu) its CUDA libraries are missing; the message
 *   gives the install command and, for gpu, the CUDA/cuDNN versions.
 */
export async function loadNativeBackend(backend: 'node' | 'gpu', importer: (pkg: string) => Promise<unknown> = (pkg) => import(pkg)): Promise<void> {
  const pkg = NATIVE_PACKAGES[backend];
  try {
    await importer(pkg);
  } catch (error) {
    throw new D2ueError('backend', nativeAdvice(backend, error), { subject: backend, cause: error });
  }
}

/** Builds the message for a failed import of a native backend (exported for tests). */
export function nativeAdvice(backend: 'node' | 'gpu', error: unknown): string {
  const pkg = NATIVE_PACKAGES[backend];
  const detail = String((error as Error)?.message ?? error).split('\n')[0];
  const code = (error as { code?: string })?.code;
  const needs =
    backend === 'gpu'
      ? ` It needs ${GPU_REQUIREMENTS} (the versions libtensorflow 2.9.1 was built for; newer CUDA is not picked up).`
      : ' It downloads libtensorflow 2.9.1 (CPU) while it installs, so it needs internet access then.';
  const fallback = ' Or use --backend wasm (no install needed).';

  let what: string;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    what = `The ${backend} backend needs ${pkg}, which is not installed (${detail}). Install it with "${installCommand(backend)}".`;
  } else if (/tfjs_binding\.node/.test(detail)) {
    what =
      `The ${backend} backend needs ${pkg}, which is installed without its native addon (${detail}): its install ` +
      `script could not download libtensorflow. Reinstall it with "${installCommand(backend)}" where it can reach ` +
      'storage.googleapis.com.';
  } else if (backend === 'gpu' && /lib(cuda|cudart|cudnn|cublas|cufft|curand|cusolver|cusparse)/.test(detail)) {
    what = `The gpu backend's libtensorflow could not load a CUDA library (${detail}).`;
  } else {
    what = `The ${backend} backend (${pkg}) failed to load (${detail}). Reinstall it with "${installCommand(backend)}".`;
  }
  return what + needs + fallback;
}
