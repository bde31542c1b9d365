import { D2ueError } from '@d2ue/core';

import type { GreyImage } from '../image/decode.js';
import { resizeBilinear } from '../image/resample.js';
import type { DicomImage } from './read-dicom.js';

/** How modality values become image samples. */
export interface DicomConversion {
  /** 8 for 0..255 samples, 16 for 0..65535. */
  readonly bits: 8 | 16;

  /**
   * A VOI window in modality units (e.g. centre 40, width 400 for a CT brain window), `'file'` for the file's own
   * Window Center/Width, or undefined for the image's min-max range.
   */
  readonly window?: { readonly center: number; readonly width: number } | 'file';

  /** Resize to `size` x `size` (bilinear, Pillow's arithmetic); the native size when undefined. */
  readonly size?: number;
}

/**
 * Converts a DICOM image to grey samples as the Med-AD benchmarks prepared theirs: modality values (rescale
 * applied), MONOCHROME1 inverted so that high values are bright, then a window or the min-max range mapped to
 * the full 8-bit or 16-bit range, rounded, and resized.
 *
 * MONOCHROME1 is inverted by negating the modality values (and the window centre) before mapping, so an image
 * and its MONOCHROME1 twin (stored as `a - value`) give identical samples.
 *
 * @example
 * const grey = toGrey(await readDicom('p001.dcm'), { bits: 8, size: 256 });
 * @throws D2ueError `data` when the image is constant (no range to map) or `'file'` is asked for and the file has
 * no window; `config` for a window width below 1.
 */
export function toGrey(image: DicomImage, conversion: DicomConversion): GreyImage {
  const { values } = image;
  const top = conversion.bits === 8 ? 255 : 65535;
  const sign = image.photometric === 'MONOCHROME1' ? -1 : 1;

  let window = conversion.window;
  if (window === 'file') {
    if (image.window === null) {
      throw new D2ueError(
        'data',
        `${image.file}: the window was asked for from the file, but it has no Window Center/Width (0028,1050/1051). ` +
          `Give --window-center and --window-width, or leave the window out to use the min-max range.`,
        { subject: image.file },
      );
    }
    window = image.window;
  }
  if (window !== undefined && !(window.width >= 1)) {
    throw new D2ueError('config', `window width must be at least 1, got ${window.width}.`, { subject: 'window' });
  }

  const samples = conversion.bits === 8 ? new Uint8Array(values.length) : new Uint16Array(values.length);
  if (window !== undefined) {
    // PS3.3 C.11.2.1.2.1, the LINEAR VOI function: centre - 0.5 and width - 1.
    const center = sign * window.center - 0.5;
    const width = window.width - 1;
    for (let i = 0; i < values.length; i++) {
      const value = sign * values[i]!;
      let unit: number;
      if (value <= center - width / 2) unit = 0;
      else if (value > center + width / 2) unit = 1;
      else unit = width === 0 ? 1 : (value - center) / width + 0.5;
      samples[i] = Math.round(Math.min(Math.max(unit, 0), 1) * top);
    }
  } else {
    let low = Infinity;
    let high = -Infinity;
    for (const value of values) {
      low = Math.min(low, sign * value);
      high = Math.max(high, sign * value);
    }
    if (!(high > low)) {
      throw new D2ueError(
        'data',
        `${image.file}: every pixel has the value ${values[0]}, so there is no range to map. Remove the blank image.`,
        { subject: image.file },
      );
    }
    for (let i = 0; i < values.length; i++) samples[i] = Math.round(((sign * values[i]! - low) / (high - low)) * top);
  }

  const size = conversion.size;
  const pixels = size === undefined ? samples : resizeBilinear(samples, image.cols, image.rows, size, size, conversion.bits);
  return {
    pixels,
    width: size ?? image.cols,
    height: size ?? image.rows,
    depth: conversion.bits,
    colour: false,
  };
}
