import type { Volume } from './read-nifti.js';

/** One 2-D slice of a volume, row-major. */
export interface Slice {
  readonly values: Float32Array;
  readonly width: number;
  readonly height: number;
}

/** The (width axis, height axis) of a slice perpendicular to `axis`. */
const IN_PLANE: Record<0 | 1 | 2, readonly [number, number]> = { 0: [1, 2], 1: [0, 2], 2: [0, 1] };

/**
 * The slice `index` across `axis` (0 = x/sagittal, 1 = y/coronal, 2 = z/axial in RAS-stored volumes). Rows run
 * from the high end of the slice's second axis to the low end, so anterior (axial) or superior (sagittal,
 * coronal) is at the top as radiology viewers show it.
 *
 * @example
 * const axial = extractSlice(volume, 2, 90); // 181 x 217 for ch2.nii.gz
 */
export function extractSlice(volume: Pick<Volume, 'dims' | 'values'>, axis: 0 | 1 | 2, index: number): Slice {
  const [nx, ny] = volume.dims;
  const strides = [1, nx, nx * ny];
  const [u, v] = IN_PLANE[axis];
  const width = volume.dims[u]!;
  const height = volume.dims[v]!;

  const values = new Float32Array(width * height);
  const base = index * strides[axis]!;
  for (let row = 0; row < height; row++) {
    const j = height - 1 - row;
    for (let col = 0; col < width; col++) values[row * width + col] = volume.values[base + col * strides[u]! + j * strides[v]!]!;
  }
  return { values, width, height };
}

/**
 * The fraction of a mask slice that is tissue (value > 0).
 *
 * @example
 * tissueFraction(extractSlice(mask, 2, 90)); // 0.41
 */
export function tissueFraction(slice: Slice): number {
  let inside = 0;
  for (const value of slice.values) if (value > 0) inside++;
  return inside / slice.values.length;
}
