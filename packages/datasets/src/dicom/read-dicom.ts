import { readFile } from 'node:fs/promises';

import { D2ueError } from '@d2ue/core';

import { parseDicomBytes, type DaikonImage } from './daikon.js';
import { transferSyntaxName, isDecodable } from './transfer-syntax.js';

/** One grey DICOM image as modality values: the stored values with the rescale slope and intercept applied. */
export interface DicomImage {
  readonly file: string;
  readonly rows: number;
  readonly cols: number;

  /** Row-major `slope * stored + intercept` (e.g. Hounsfield units for CT). */
  readonly values: Float64Array;

  /** MONOCHROME1 shows low values bright; MONOCHROME2 shows them dark. */
  readonly photometric: 'MONOCHROME1' | 'MONOCHROME2';

  /** PatientID (0010,0020), or null when the tag is absent or empty. */
  readonly patientId: string | null;

  /** Window Center/Width (0028,1050/1051) of the file, or null when absent. */
  readonly window: { readonly center: number; readonly width: number } | null;

  readonly transferSyntax: string;
}

// DICOM PS3.5 section 10: a file without a transfer syntax in its meta header is Implicit VR Little Endian.
const IMPLICIT_LITTLE = '1.2.840.10008.1.2';

/**
 * Reads a single-frame grey DICOM file with daikon. Compressed transfer syntaxes that daikon decodes (deflate,
 * JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000, RLE) are decoded; others are rejected by name. Stored
 * values are masked to Bits Stored and sign-extended when Pixel Representation is 1, then rescaled.
 *
 * @example
 * const image = await readDicom('/scans/p001.dcm');
 * @throws D2ueError `data` naming the file when it is not DICOM, has no pixel data, uses a transfer syntax daikon
 * cannot decode, is multi-frame or colour, has 32-bit samples, or its pixel data is shorter than its size says.
 */
export async function readDicom(file: string): Promise<DicomImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw fail(file, `cannot read the file (${(error as Error).message}). Check the path and its permissions.`, error);
  }

  const { image, reason } = parseDicomBytes(bytes);
  if (image === null) throw fail(file, `not a readable DICOM file (${reason}). Remove it from the input folder.`);

  const transferSyntax = (image.getTransferSyntax() ?? IMPLICIT_LITTLE).replace(/\0/g, '').trim();
  if (!isDecodable(transferSyntax)) {
    throw fail(
      file,
      `transfer syntax ${transferSyntax} (${transferSyntaxName(transferSyntax)}) cannot be decoded by daikon. ` +
        `Convert the file to Explicit VR Little Endian first, e.g. with dcmtk's "dcmdjpeg" or gdcm's "gdcmconv --raw".`,
    );
  }
  if (!image.hasPixelData()) throw fail(file, 'the file has no Pixel Data (7FE0,0010); it is not an image.');

  const photometric = (image.getPhotometricInterpretation() ?? '').trim();
  const samples = image.getNumberOfSamplesPerPixel() ?? 1;
  if (samples !== 1 || (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2')) {
    throw fail(
      file,
      `photometric interpretation "${photometric}" with ${samples} sample(s) per pixel; d2ue prepares grey ` +
        `(MONOCHROME1 or MONOCHROME2) images only.`,
    );
  }

  const frames = image.getNumberOfFrames();
  if (frames !== 1) {
    throw fail(file, `the file has ${frames} frames; d2ue prepares single-frame images. Split it into one file per frame.`);
  }

  const values = modalityValues(file, image);
  const center = image.getWindowCenter();
  const width = image.getWindowWidth();
  const patientId = (image.getPatientID() ?? '').trim();

  return {
    file,
    rows: image.getRows()!,
    cols: image.getCols()!,
    values,
    photometric,
    patientId: patientId.length > 0 ? patientId : null,
    window: center !== null && width !== null && width >= 1 ? { center, width } : null,
    transferSyntax,
  };
}

/** Stored values masked to Bits Stored, sign-extended, and rescaled (PS3.3 C.7.6.3.1 and C.11.1.1.2). */
function modalityValues(file: string, image: DaikonImage): Float64Array {
  const rows = image.getRows() ?? 0;
  const cols = image.getCols() ?? 0;
  const allocated = image.getBitsAllocated() ?? 0;
  const stored = image.getBitsStored() ?? allocated;
  const signed = image.getPixelRepresentation() === 1;
  if (allocated !== 8 && allocated !== 16) {
    throw fail(file, `Bits Allocated is ${allocated}; d2ue reads 8-bit and 16-bit samples.`);
  }
  if (stored < 1 || stored > allocated) throw fail(file, `Bits Stored is ${stored}, outside 1..${allocated}.`);

  let raw: ArrayBuffer;
  try {
    raw = image.getRawData();
  } catch (error) {
    throw fail(file, `daikon failed to decode the pixel data (${(error as Error).message}).`, error);
  }
  const count = rows * cols;
  const bytes = allocated / 8;
  if (count === 0 || raw.byteLength < count * bytes) {
    throw fail(file, `the pixel data has ${raw.byteLength} bytes, fewer than ${rows} x ${cols} x ${bytes}; the file is truncated.`);
  }

  // The rescale is optional; slope 0 would erase the image, so it is read as 1 as daikon does.
  const slope = image.getDataScaleSlope() || 1;
  const intercept = image.getDataScaleIntercept() ?? 0;

  const view = new DataView(raw);
  const mask = 2 ** stored - 1;
  const signBit = 2 ** (stored - 1);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const word = bytes === 1 ? view.getUint8(i) : view.getUint16(2 * i, image.littleEndian);
    let value = word & mask;
    if (signed && value >= signBit) value -= 2 ** stored;
    values[i] = value * slope + intercept;
  }
  return values;
}

function fail(file: string, what: string, cause?: unknown): D2ueError {
  return new D2ueError('data', `${file}: ${what}`, { subject: file, cause });
}
