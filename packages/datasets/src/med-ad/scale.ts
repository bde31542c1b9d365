/**
 * Writes `values` mapped linearly so that `low` becomes -1 and `high` becomes 1 into `target` at `offset`.
 * Values outside [low, high] are clipped, which only happens with a custom intensity range.
 *
 * @example
 * scaleInto(Uint8Array.from([0, 255]), 0, 255, target, 0); // target[0] = -1, target[1] = 1
 */
export function scaleInto(
  values: Uint8Array | Uint16Array,
  low: number,
  high: number,
  target: Float32Array,
  offset: number,
): void {
  const factor = 2 / (high - low);
  for (let i = 0; i < values.length; i++) {
    const scaled = (values[i]! - low) * factor - 1;
    target[offset + i] = Math.min(Math.max(scaled, -1), 1);
  }
}

/** Returns the full range of an image type: 0..255 for 8-bit samples, 0..65535 for 16-bit ones. */
export function fullRange(depth: 8 | 16): readonly [number, number] {
  return depth === 8 ? [0, 255] : [0, 65535];
}
