/**
 * Writes a minimal NIfTI-1 single file (.nii): the 348-byte header (NIfTI-1 spec, nifti1.h field offsets), 4
 * bytes of extension flags, then the voxels at vox_offset 352. Gzips it when asked. Used to make tiny volumes
 * whose values the tests know.
 */
import { gzipSync } from 'node:zlib';

const DATATYPES = { uint8: { code: 2, bits: 8 }, int16: { code: 4, bits: 16 }, float32: { code: 16, bits: 32 } } as const;

/** A NIfTI-1 file of `values` (x fastest) with dims [nx, ny, nz]. */
export function niftiBytes(
  dims: readonly [number, number, number],
  values: ArrayLike<number>,
  options: { type?: keyof typeof DATATYPES; slope?: number; intercept?: number; gzip?: boolean } = {},
): Buffer {
  const type = DATATYPES[options.type ?? 'int16'];
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0); // sizeof_hdr
  header.writeInt16LE(3, 40); // dim[0]
  dims.forEach((size, axis) => header.writeInt16LE(size, 42 + 2 * axis));
  for (let axis = 3; axis < 7; axis++) header.writeInt16LE(1, 42 + 2 * axis);
  header.writeInt16LE(type.code, 70); // datatype
  header.writeInt16LE(type.bits, 72); // bitpix
  for (let axis = 0; axis < 8; axis++) header.writeFloatLE(1, 76 + 4 * axis); // pixdim
  header.writeFloatLE(352, 108); // vox_offset
  header.writeFloatLE(options.slope ?? 1, 112); // scl_slope
  header.writeFloatLE(options.intercept ?? 0, 116); // scl_inter
  header.write('n+1\0', 344, 'latin1'); // magic

  const data = Buffer.alloc((values.length * type.bits) / 8);
  for (let i = 0; i < values.length; i++) {
    if (options.type === 'uint8') data.writeUInt8(values[i]!, i);
    else if (options.type === 'float32') data.writeFloatLE(values[i]!, 4 * i);
    else data.writeInt16LE(values[i]!, 2 * i);
  }

  const file = Buffer.concat([header, data]);
  return options.gzip ? gzipSync(file) : file;
}
