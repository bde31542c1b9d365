import type { Rng } from '@d2ue/core';

/** One synthetic lesion: an ellipse with a soft edge that brightens or darkens the tissue under it. */
export interface Lesion {
  readonly kind: 'hyper' | 'hypo';

  /** Centre in pixels. */
  readonly cx: number;
  readonly cy: number;

  /** Semi-axes in pixels, and the rotation of the first one from the x axis in radians. */
  readonly a: number;
  readonly b: number;
  readonly angle: number;

  /** The intensity change at the core, in units of the [0, 1] image range. */
  readonly contrast: number;
}

// Semi-axes between 6 % and 16 % of the image side: visible at 64 px (4 to 10 px) without covering the brain.
const AXIS_RANGE = [0.06, 0.16] as const;

// Contrast between 0.25 and 0.45 of the intensity range: clearly abnormal, not saturated for most tissue.
const CONTRAST_RANGE = [0.25, 0.45] as const;

// The weight is 1 inside 70 % of the radius and falls to 0 at the ellipse edge with a raised cosine.
const CORE = 0.7;

/**
 * Draws a lesion centred on a random tissue pixel of `mask` (size x size, 1 = tissue).
 *
 * @example
 * const lesion = drawLesion(mask, 64, 'hyper', createRng('seed/lesion/0'));
 */
export function drawLesion(mask: Uint8Array, size: number, kind: Lesion['kind'], rng: Rng): Lesion {
  const inside: number[] = [];
  mask.forEach((value, index) => {
    if (value === 1) inside.push(index);
  });
  const centre = inside[Math.min(Math.floor(rng() * inside.length), inside.length - 1)] ?? ((size * size) >> 1);
  const between = (range: readonly [number, number]): number => range[0] + rng() * (range[1] - range[0]);

  return {
    kind,
    cx: centre % size,
    cy: Math.floor(centre / size),
    a: between(AXIS_RANGE) * size,
    b: between(AXIS_RANGE) * size,
    angle: rng() * Math.PI,
    contrast: between(CONTRAST_RANGE),
  };
}

/**
 * The lesion's weight at each pixel: 1 in the core, a raised-cosine edge to 0 at the ellipse boundary, and 0
 * outside `mask`, so lesions never leave the tissue.
 *
 * @example
 * const weight = lesionWeight(lesion, mask, 64);
 */
export function lesionWeight(lesion: Lesion, mask: Uint8Array, size: number): Float32Array {
  const weight = new Float32Array(size * size);
  const cos = Math.cos(lesion.angle);
  const sin = Math.sin(lesion.angle);

  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (mask[y * size + x] !== 1) continue;
      // Pixel centres, rotated into the ellipse's frame.
      const dx = x + 0.5 - (lesion.cx + 0.5);
      const dy = y + 0.5 - (lesion.cy + 0.5);
      const u = (dx * cos + dy * sin) / lesion.a;
      const v = (-dx * sin + dy * cos) / lesion.b;
      const radius = Math.sqrt(u * u + v * v);
      if (radius <= CORE) weight[y * size + x] = 1;
      else if (radius < 1) weight[y * size + x] = 0.5 * (1 + Math.cos((Math.PI * (radius - CORE)) / (1 - CORE)));
    }
  }
  return weight;
}

/**
 * Applies a lesion to an image in [0, 1]: `value ± contrast * weight`, clipped to [0, 1]. Returns the lesioned
 * image and its pixel mask (1 where the weight is at least 0.5).
 *
 * @example
 * const { image, pixelMask } = applyLesion(slice, lesion, mask, 64);
 */
export function applyLesion(image: Float32Array, lesion: Lesion, mask: Uint8Array, size: number): { image: Float32Array; pixelMask: Uint8Array } {
  const weight = lesionWeight(lesion, mask, size);
  const sign = lesion.kind === 'hyper' ? 1 : -1;
  const out = new Float32Array(image.length);
  const pixelMask = new Uint8Array(image.length);

  for (let i = 0; i < image.length; i++) {
    out[i] = Math.min(Math.max(image[i]! + sign * lesion.contrast * weight[i]!, 0), 1);
    pixelMask[i] = weight[i]! >= 0.5 ? 1 : 0;
  }
  return { image: out, pixelMask };
}
