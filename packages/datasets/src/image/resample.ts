/**
 * Bilinear resizing with antialiasing, the same arithmetic as Pillow's `Image.resize(size, Image.BILINEAR)`
 * (Pillow 9.4 `libImaging/Resample.c`), which is what the PyTorch D2UE pipeline runs through torchvision's
 * `Resize` on PIL images.
 *
 * Porting note: sharp 0.35.6 (libvips 8.18.8) with `kernel: 'linear'` samples upscaled images half a pixel off.
 * Resizing 2 → 4 px gives 0, 0, 50, 100 there, where Pillow and torch give 0, 25, 75, 100. So the loader and the
 * MNIST builder resize here and use sharp only to decode and encode.
 */

/** The input taps of one axis: for output index `i`, `count[i]` weights start at input index `first[i]`. */
interface AxisTaps {
  readonly first: Int32Array;
  readonly count: Int32Array;

  /** `weights[i * stride + k]`, normalised to sum to 1 per output index. */
  readonly weights: Float64Array;

  readonly stride: number;
}

// Pillow's fixed-point precision for 8-bit images: 32 - 8 - 2 bits.
const PRECISION_BITS = 22;
const FIXED_ONE = 2 ** PRECISION_BITS;

/** Triangle filter with support 1, Pillow's `bilinear_filter`. */
function triangle(x: number): number {
  const distance = Math.abs(x);
  return distance < 1 ? 1 - distance : 0;
}

/** Pillow's `precompute_coeffs`: the filter widens by the scale when shrinking, which is the antialiasing. */
function computeTaps(inSize: number, outSize: number): AxisTaps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const inverse = 1 / filterScale;

  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);

  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    const min = Math.max(Math.trunc(center - support + 0.5), 0);
    const max = Math.min(Math.trunc(center + support + 0.5), inSize);
    const taps = max - min;

    let total = 0;
    for (let k = 0; k < taps; k++) {
      const weight = triangle((k + min - center + 0.5) * inverse);
      weights[out * stride + k] = weight;
      total += weight;
    }
    if (total !== 0) {
      for (let k = 0; k < taps; k++) weights[out * stride + k]! /= total;
    }

    first[out] = min;
    count[out] = taps;
  }

  return { first, count, weights, stride };
}

/**
 * Resamples one axis. In `layout`, `inStep` and `outStep` are the distances between neighbours along the resized
 * axis, and `inLineStep` and `outLineStep` the distances between the lines that are resized independently.
 * 8-bit images use Pillow's fixed-point weights and clip to 0..255. 16-bit images follow Pillow's 32-bit integer
 * path (float weights, round half up) and clip to 0..65535.
 */
function resampleAxis(
  input: Uint8Array | Uint16Array,
  output: Uint8Array | Uint16Array,
  taps: AxisTaps,
  lines: number,
  layout: { readonly inStep: number; readonly inLineStep: number; readonly outStep: number; readonly outLineStep: number },
  depth: 8 | 16,
): void {
  const fixed = depth === 8 ? Int32Array.from(taps.weights, (weight) => Math.trunc(weight * FIXED_ONE + 0.5)) : null;
  const outSize = taps.first.length;

  for (let line = 0; line < lines; line++) {
    for (let out = 0; out < outSize; out++) {
      const start = line * layout.inLineStep + taps.first[out]! * layout.inStep;
      const base = out * taps.stride;
      const tapCount = taps.count[out]!;
      let value: number;

      if (fixed !== null) {
        let sum = FIXED_ONE / 2;
        for (let k = 0; k < tapCount; k++) sum += input[start + k * layout.inStep]! * fixed[base + k]!;
        value = sum <= 0 ? 0 : Math.min(Math.floor(sum / FIXED_ONE), 255);
      } else {
        let sum = 0;
        for (let k = 0; k < tapCount; k++) sum += input[start + k * layout.inStep]! * taps.weights[base + k]!;
        value = Math.min(Math.max(Math.trunc(sum + 0.5), 0), 65535);
      }

      output[line * layout.outLineStep + out * layout.outStep] = value;
    }
  }
}

/**
 * Resizes a one-channel row-major image to `outWidth` x `outHeight`: rows first, then columns, each pass rounded
 * to the image's integer type as Pillow does. Returns the input itself when the size is unchanged.
 *
 * @example
 * resizeBilinear(Uint8Array.from([0, 100, 0, 100]), 2, 2, 4, 4, 8); // first row 0, 25, 75, 100
 */
export function resizeBilinear<T extends Uint8Array | Uint16Array>(
  pixels: T,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  depth: 8 | 16,
): T {
  const make = (length: number): T => (depth === 8 ? new Uint8Array(length) : new Uint16Array(length)) as T;
  let current = pixels;
  let currentWidth = width;

  if (outWidth !== width) {
    const next = make(outWidth * height);
    const layout = { inStep: 1, inLineStep: width, outStep: 1, outLineStep: outWidth };
    resampleAxis(current, next, computeTaps(width, outWidth), height, layout, depth);
    current = next;
    currentWidth = outWidth;
  }

  if (outHeight !== height) {
    const next = make(currentWidth * outHeight);
    const layout = { inStep: currentWidth, inLineStep: 1, outStep: currentWidth, outLineStep: 1 };
    resampleAxis(current, next, computeTaps(height, outHeight), currentWidth, layout, depth);
    current = next;
  }

  return current;
}
