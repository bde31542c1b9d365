/**
 * ITU-R BT.601 luma in Pillow's integer form (`Convert.c`, `L24`):
 * `L = (R * 19595 + G * 38470 + B * 7471 + 0x8000) >> 16`, so pure red, green and blue give 76, 150 and 29 as
 * PIL's `convert('L')` does. 16-bit samples use the same weights.
 *
 * @example
 * lumaFromInterleaved(Uint8Array.from([255, 0, 0]), 3); // Uint8Array [76]
 */
export function lumaFromInterleaved<T extends Uint8Array | Uint16Array>(samples: T, channels: number): T {
  const count = samples.length / channels;
  const luma = (samples instanceof Uint16Array ? new Uint16Array(count) : new Uint8Array(count)) as T;

  for (let i = 0; i < count; i++) {
    const at = i * channels;
    const weighted = samples[at]! * 19595 + samples[at + 1]! * 38470 + samples[at + 2]! * 7471 + 0x8000;
    // Division, not `>>`, because 16-bit samples overflow 32-bit integers here.
    luma[i] = Math.floor(weighted / 65536);
  }

  return luma;
}

/** Extracts the first channel of interleaved samples, the grey value of a grey or grey-plus-alpha image. */
export function firstChannel<T extends Uint8Array | Uint16Array>(samples: T, channels: number): T {
  if (channels === 1) return samples;

  const count = samples.length / channels;
  const grey = (samples instanceof Uint16Array ? new Uint16Array(count) : new Uint8Array(count)) as T;
  for (let i = 0; i < count; i++) grey[i] = samples[i * channels]!;
  return grey;
}
