/**
 * The self-check a backend passes before d2ue uses it: a strided 2-D convolution and both of its gradients.
 *
 * A stock wasm backend lacks Conv2DBackpropFilter (tfjs 4.22), and a backend that loads but computes garbage gives
 * wrong numbers. Either way `auto` moves on to the next backend.
 *
 * The case: x = 1..16 as a [1, 4, 4, 1] image, w = [[1, 2], [3, 4]] as [2, 2, 1, 1], stride 2, valid padding, loss =
 * sum(conv2d(x, w)). The four windows start at (0,0), (0,2), (2,0), (2,2), so
 *   ∂loss/∂w[i, j] = Σ over the four windows of x at offset (i, j) = [[24, 28], [40, 44]]
 *   ∂loss/∂x[r, c] = w[r mod 2, c mod 2]       (every pixel lies in exactly one window)
 *   loss = Σ_windows Σ w ⊙ x = 1·24 + 2·28 + 3·40 + 4·44 = 376
 */
import * as tf from '@tensorflow/tfjs-core';

import { D2ueError } from '../errors.js';

const EXPECTED_LOSS = 376;
const EXPECTED_FILTER_GRAD = [24, 28, 40, 44];
const EXPECTED_INPUT_GRAD = [1, 2, 1, 2, 3, 4, 3, 4, 1, 2, 1, 2, 3, 4, 3, 4];

/**
 * Runs the self-check on the active backend.
 *
 * @example
 * await tf.setBackend('wasm');
 * selfCheck('wasm');
 * @throws D2ueError (backend) naming the backend and the first value that came out wrong (or the kernel error).
 */
export function selfCheck(backend: string): void {
  let got: { loss: number; filter: number[]; input: number[] };
  try {
    got = tf.tidy(() => {
      const x = tf.tensor4d(Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
      const w = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'valid'));
      const { value, grads } = tf.valueAndGrads(f)([x, w]);
      return {
        loss: value.dataSync()[0] as number,
        input: Array.from(grads[0]!.dataSync()),
        filter: Array.from(grads[1]!.dataSync()),
      };
    });
  } catch (error) {
    throw new D2ueError(
      'backend',
      `The ${backend} backend failed its self-check: a conv2d gradient threw (${(error as Error).message.split('\n')[0]}).`,
      { subject: backend, cause: error },
    );
  }

  const wrong = firstMismatch('loss', [got.loss], [EXPECTED_LOSS]) ??
    firstMismatch('∂loss/∂w', got.filter, EXPECTED_FILTER_GRAD) ??
    firstMismatch('∂loss/∂x', got.input, EXPECTED_INPUT_GRAD);
  if (wrong !== undefined) {
    throw new D2ueError('backend', `The ${backend} backend failed its self-check: ${wrong} (stride-2 conv2d on 1..16).`, {
      subject: backend,
    });
  }
}

function firstMismatch(what: string, got: number[], want: number[]): string | undefined {
  for (let i = 0; i < want.length; i++) {
    // Written as !(≤) so that NaN counts as a mismatch.
    if (!(Math.abs((got[i] ?? NaN) - want[i]!) <= 1e-3 * Math.abs(want[i]!))) {
      return `${what}[${i}] is ${got[i]}, expected ${want[i]}`;
    }
  }
  return undefined;
}
