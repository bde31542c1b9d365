import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { createRng, D2ueError, type BuiltDataset } from '@d2ue/core';

import { writeGreyPng } from '../image/encode.js';
import { resizeBilinear } from '../image/resample.js';
import { applyLesion, drawLesion } from './lesions.js';
import { readNifti, type Volume } from './read-nifti.js';
import { extractSlice, tissueFraction } from './slices.js';

/** How a NIfTI volume becomes a Med-AD folder. */
export interface NiftiSlicing {
  /** The slicing axis: 0 sagittal, 1 coronal, 2 axial. */
  readonly axis: 0 | 1 | 2;

  /** Slices `[start, end)` along the axis; all when undefined. */
  readonly range?: readonly [number, number];

  /** Keep slices whose tissue (mask > 0) covers at least this fraction of the slice. */
  readonly minTissue: number;

  /** Image side in pixels. */
  readonly size: number;

  readonly bits: 8 | 16;

  /** Lesioned copies of each test slice (0 for none: the folder then has no abnormal images). */
  readonly lesions: number;

  readonly seed: string;
}

/** The folder contents as counts, plus the slice indices kept. */
export interface SlicedCounts extends Readonly<BuiltDataset['counts']> {
  readonly slices: readonly number[];
}

// Without a mask, tissue is what is brighter than 10 % of the volume's range: background in MRI is near 0.
const FOREGROUND = 0.1;

/**
 * Writes a Med-AD folder into `folder` from a volume: slices along `axis` with enough tissue, normalised by the
 * volume's min-max range, resized, and interleaved (even positions train, odd positions test normal). Each test
 * slice gets `lesions` copies with synthetic lesions (alternately hyper- and hypo-intense) in `test.1`, with
 * their pixel masks as `masks/<name>` (0 or 255). `mask` is a volume whose positive voxels are tissue; without
 * one, voxels above 10 % of the intensity range count as tissue.
 *
 * @example
 * await writeSlices(await readNifti('t1.nii.gz'), await readNifti('brain.nii.gz'), slicing, '/tmp/set');
 * @throws D2ueError `data` when the mask's dims differ from the volume's, the volume is constant, or fewer than 2
 * slices pass the tissue threshold; `config` for a slice range outside the volume.
 */
export async function writeSlices(volume: Volume, mask: Volume | null, slicing: NiftiSlicing, folder: string): Promise<SlicedCounts> {
  const tissue = tissueVolume(volume, mask);
  const low = volume.values.reduce((a, b) => Math.min(a, b), Infinity);
  const high = volume.values.reduce((a, b) => Math.max(a, b), -Infinity);
  if (!(high > low)) throw new D2ueError('data', `${volume.file}: every voxel has the value ${low}; there is nothing to slice.`, { subject: volume.file });

  const count = volume.dims[slicing.axis];
  const [start, end] = slicing.range ?? [0, count];
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end <= count && start < end)) {
    throw new D2ueError('config', `slices ${start}:${end} are outside 0:${count} along axis ${slicing.axis} of ${volume.file}.`, {
      subject: 'slices',
    });
  }

  const kept: number[] = [];
  for (let index = start; index < end; index++) {
    if (tissueFraction(extractSlice(tissue, slicing.axis, index)) >= slicing.minTissue) kept.push(index);
  }
  if (kept.length < 2) {
    throw new D2ueError(
      'data',
      `${volume.file}: ${kept.length} slice(s) along axis ${slicing.axis} have at least ${slicing.minTissue * 100}% tissue; ` +
        `a train and a test slice are needed. Lower the tissue fraction or widen the slice range.`,
      { subject: volume.file },
    );
  }

  const { size, bits } = slicing;
  const top = bits === 8 ? 255 : 65535;
  const letter = 'xyz'[slicing.axis]!;
  const lists = { train: [] as string[], testNormal: [] as string[], testAbnormal: [] as string[] };

  for (const [position, index] of kept.entries()) {
    const image = resizedUnit(extractSlice(volume, slicing.axis, index), low, high, size);
    const name = `slice_${letter}${String(index).padStart(3, '0')}.png`;
    await writePng(path.join(folder, 'images', name), image, size, bits, top);
    if (position % 2 === 0) {
      lists.train.push(name);
      continue;
    }
    lists.testNormal.push(name);

    const sliceMask = resizedMask(extractSlice(tissue, slicing.axis, index), size);
    for (let copy = 0; copy < slicing.lesions; copy++) {
      const rng = createRng(`${slicing.seed}/lesion/${index}/${copy}`);
      const lesion = drawLesion(sliceMask, size, copy % 2 === 0 ? 'hyper' : 'hypo', rng);
      const lesioned = applyLesion(image, lesion, sliceMask, size);
      const lesionName = name.replace('.png', `_lesion${copy + 1}.png`);
      await writePng(path.join(folder, 'images', lesionName), lesioned.image, size, bits, top);
      await writePng(path.join(folder, 'masks', lesionName), Float32Array.from(lesioned.pixelMask), size, 8, 255);
      lists.testAbnormal.push(lesionName);
    }
  }

  const dataJson = { train: { '0': lists.train }, test: { '0': lists.testNormal, '1': lists.testAbnormal } };
  await writeFile(path.join(folder, 'data.json'), `${JSON.stringify(dataJson, null, 1)}\n`);
  return { train: lists.train.length, testNormal: lists.testNormal.length, testAbnormal: lists.testAbnormal.length, slices: kept };
}

/** Reads a volume and an optional mask, as {@link writeSlices} wants them. */
export async function readVolumes(volumeFile: string, maskFile?: string): Promise<{ volume: Volume; mask: Volume | null }> {
  const volume = await readNifti(volumeFile);
  const mask = maskFile === undefined ? null : await readNifti(maskFile);
  return { volume, mask };
}

/** 1 for tissue voxels: mask > 0, or above 10 % of the range without a mask. */
function tissueVolume(volume: Volume, mask: Volume | null): Pick<Volume, 'dims' | 'values'> {
  if (mask !== null) {
    if (mask.dims.some((size, axis) => size !== volume.dims[axis])) {
      throw new D2ueError(
        'data',
        `${mask.file}: mask dims ${JSON.stringify(mask.dims)} differ from the volume's ${JSON.stringify(volume.dims)} (${volume.file}). ` +
          `Give a mask in the volume's space.`,
        { subject: mask.file },
      );
    }
    return { dims: mask.dims, values: mask.values.map((value) => (value > 0 ? 1 : 0)) };
  }
  const low = volume.values.reduce((a, b) => Math.min(a, b), Infinity);
  const high = volume.values.reduce((a, b) => Math.max(a, b), -Infinity);
  const threshold = low + FOREGROUND * (high - low);
  return { dims: volume.dims, values: volume.values.map((value) => (value > threshold ? 1 : 0)) };
}

/** A slice mapped to [0, 1] by the volume range and resized (Pillow bilinear on 16-bit samples). */
function resizedUnit(slice: { values: Float32Array; width: number; height: number }, low: number, high: number, size: number): Float32Array {
  const samples = Uint16Array.from(slice.values, (value) => Math.round(((value - low) / (high - low)) * 65535));
  const resized = resizeBilinear(samples, slice.width, slice.height, size, size, 16);
  return Float32Array.from(resized, (value) => value / 65535);
}

/** A tissue slice resized like the image, then thresholded at one half. */
function resizedMask(slice: { values: Float32Array; width: number; height: number }, size: number): Uint8Array {
  const samples = Uint8Array.from(slice.values, (value) => (value > 0 ? 255 : 0));
  return resizeBilinear(samples, slice.width, slice.height, size, size, 8).map((value) => (value >= 128 ? 1 : 0));
}

function writePng(file: string, unit: Float32Array, size: number, bits: 8 | 16, top: number): Promise<void> {
  const pixels = bits === 8 ? Uint8Array.from(unit, (v) => Math.round(v * top)) : Uint16Array.from(unit, (v) => Math.round(v * top));
  return writeGreyPng(file, { pixels, width: size, height: size, depth: bits });
}
