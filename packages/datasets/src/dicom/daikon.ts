import { createRequire } from 'node:module';

/**
 * A typed view of the part of the `daikon` DICOM reader (1.2.x, CommonJS, no type declarations) that d2ue uses.
 * Getters return null when the tag is absent.
 */
export interface DaikonImage {
  getTransferSyntax(): string | null;
  getPhotometricInterpretation(): string | null;
  getRows(): number | null;
  getCols(): number | null;
  getBitsAllocated(): number | null;
  getBitsStored(): number | null;
  /** 0 for unsigned samples, 1 for two's complement. */
  getPixelRepresentation(): number | null;
  getNumberOfFrames(): number;
  getNumberOfSamplesPerPixel(): number | null;
  getDataScaleSlope(): number | null;
  getDataScaleIntercept(): number | null;
  getWindowCenter(): number | null;
  getWindowWidth(): number | null;
  getPatientID(): string | null;
  hasPixelData(): boolean;
  /** The (decompressed) pixel data bytes; byte order as {@link DaikonImage.littleEndian} says. */
  getRawData(): ArrayBuffer;
  /** Pixel values with the rescale applied (and inverted for MONOCHROME1); the test oracle. */
  getInterpretedData(asArray: false, asObject: true, frameIndex?: number): { data: Float32Array; min: number; max: number };
  readonly littleEndian: boolean;
}

interface DaikonModule {
  Series: { parseImage(data: DataView): DaikonImage | null; parserError: unknown };
}

const require = createRequire(import.meta.url);
let daikon: DaikonModule | undefined;

/**
 * Parses one DICOM file's bytes with daikon. Returns null, with daikon's reason, when the bytes are not DICOM.
 * daikon is loaded on first use, so importing @d2ue/datasets does not load it.
 *
 * @example
 * const { image } = parseDicomBytes(readFileSync('scan.dcm'));
 */
export function parseDicomBytes(bytes: Uint8Array): { image: DaikonImage | null; reason: string } {
  daikon ??= require('daikon') as DaikonModule;

  // daikon reads through a DataView of its own buffer; copy so a pooled Buffer's neighbours are not visible.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);

  let image: DaikonImage | null = null;
  let reason = '';
  try {
    image = daikon.Series.parseImage(new DataView(copy.buffer));
    if (image === null) reason = String(daikon.Series.parserError ?? 'not a DICOM file');
  } catch (error) {
    reason = (error as Error).message;
  }
  return { image, reason };
}
