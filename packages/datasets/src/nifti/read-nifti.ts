import { readFile } from 'node:fs/promises';

import * as nifti from 'nifti-reader-js';

import { D2ueError } from '@d2ue/core';

/** A 3-D scalar volume: `values[x + y * nx + z * nx * ny]`, with the header's scl_slope/scl_inter applied. */
export interface Volume {
  readonly file: string;

  /** [nx, ny, nz]. */
  readonly dims: readonly [number, number, number];

  readonly values: Float32Array;
}

// NIfTI-1 datatype codes (nifti1.h) d2ue reads, with the DataView getter and byte size of each.
const READERS: Record<number, { size: number; read: (view: DataView, at: number, little: boolean) => number; name: string }> = {
  2: { size: 1, read: (v, at) => v.getUint8(at), name: 'UINT8' },
  4: { size: 2, read: (v, at, le) => v.getInt16(at, le), name: 'INT16' },
  8: { size: 4, read: (v, at, le) => v.getInt32(at, le), name: 'INT32' },
  16: { size: 4, read: (v, at, le) => v.getFloat32(at, le), name: 'FLOAT32' },
  64: { size: 8, read: (v, at, le) => v.getFloat64(at, le), name: 'FLOAT64' },
  256: { size: 1, read: (v, at) => v.getInt8(at), name: 'INT8' },
  512: { size: 2, read: (v, at, le) => v.getUint16(at, le), name: 'UINT16' },
  768: { size: 4, read: (v, at, le) => v.getUint32(at, le), name: 'UINT32' },
};

/**
 * Reads a NIfTI-1 or NIfTI-2 file (`.nii` or `.nii.gz`) with nifti-reader-js into a 3-D volume. A 4-D file with
 * one time point counts as 3-D.
 *
 * @example
 * const volume = await readNifti('/usr/share/mricron/templates/ch2.nii.gz'); // dims [181, 217, 181]
 * @throws D2ueError `data` naming the file when it cannot be read, is not NIfTI, has more than one volume, uses
 * a datatype other than the integer and float types above, or holds fewer bytes than its dimensions need.
 */
export async function readNifti(file: string): Promise<Volume> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new D2ueError('data', `${file}: ${missing ? 'file not found' : `cannot read the file (${(error as Error).message})`}.`, {
      subject: file,
      cause: error,
    });
  }

  let data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  try {
    if (nifti.isCompressed(data)) data = nifti.decompress(data) as ArrayBuffer;
  } catch (error) {
    throw fail(file, `cannot decompress the gzip data (${(error as Error).message}); the file is damaged.`, error);
  }
  if (!nifti.isNIFTI(data)) throw fail(file, 'not a NIfTI-1 or NIfTI-2 file (no "n+1"/"n+2" magic). Give a .nii or .nii.gz volume.');

  const header = nifti.readHeader(data);
  const [rank = 0, nx = 0, ny = 0, nz = 1, nt = 1] = header.dims;
  if (rank < 2 || rank > 4 || (rank === 4 && nt > 1) || nx < 1 || ny < 1 || nz < 1) {
    throw fail(file, `dims ${JSON.stringify(header.dims.slice(0, rank + 1))} are not one 3-D volume; d2ue slices 3-D volumes.`);
  }

  const reader = READERS[header.datatypeCode];
  if (reader === undefined) {
    throw fail(file, `datatype ${header.datatypeCode} is not supported; d2ue reads ${Object.values(READERS).map((r) => r.name).join(', ')}.`);
  }

  const image = nifti.readImage(header, data);
  const count = nx * ny * nz;
  if (image.byteLength < count * reader.size) {
    throw fail(file, `the image data has ${image.byteLength} bytes, fewer than ${nx} x ${ny} x ${nz} x ${reader.size}; the file is truncated.`);
  }

  // NIfTI-1 section "scl_slope": a slope of 0 means no scaling.
  const slope = header.scl_slope === 0 || !Number.isFinite(header.scl_slope) ? 1 : header.scl_slope;
  const intercept = Number.isFinite(header.scl_inter) ? header.scl_inter : 0;
  const view = new DataView(image);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = reader.read(view, i * reader.size, header.littleEndian) * slope + intercept;

  return { file, dims: [nx, ny, nz], values };
}

function fail(file: string, what: string, cause?: unknown): D2ueError {
  return new D2ueError('data', `${file}: ${what}`, { subject: file, cause });
}
