/**
 * Images in memory, one split of a Med-AD folder after decoding, resizing and scaling.
 * Pixels are row-major, image after image: `pixels[n * size * size + y * size + x]`, scaled to [-1, 1].
 */
export interface ImageSet {
  /** Image ids: the file names from data.json. */
  readonly ids: readonly string[];

  /** 0 for normal, 1 for abnormal, one per image. */
  readonly labels: Uint8Array;

  readonly pixels: Float32Array;

  /** The side of every (square) image in pixels. */
  readonly size: number;

  /**
   * Pixel masks of the anomalies, 1 inside an anomaly and 0 elsewhere, in the order of `pixels`:
   * `masks[n * size * size + y * size + x]`. The loader sets them on the test split when the Med-AD folder has a
   * `masks/` folder, which contains `masks/<image name>` files of the image's size, non-zero inside the anomaly.
   * A normal test image without a mask file gets an all-zero mask. Without masks, pixel-level metrics are skipped.
   */
  readonly masks?: Uint8Array;
}

/** Both splits of a Med-AD folder. */
export interface MedAdData {
  /** `train.0`: normal images only. */
  readonly train: ImageSet;

  /** `test.0` then `test.1`. */
  readonly test: ImageSet;
}

/** Options every loader call takes. */
export interface LoadOptions {
  /** The side the images are resized to. */
  readonly imageSize: number;

  /** Raw intensities mapped to -1 and 1; the image type's full range (0..255 or 0..65535) when omitted. */
  readonly intensityRange?: readonly [number, number];
}

/** Reads a Med-AD folder (ROOT/images, ROOT/data.json). Registered as `loader:med-ad`. */
export interface DatasetLoader {
  /** Reads both splits of the Med-AD folder `root`, decoded, resized to `options.imageSize` and scaled to [-1, 1]. */
  load(root: string, options: LoadOptions): Promise<MedAdData>;

  /**
   * Decodes single image files (outside any split) the way `load` decodes a folder's images, for scoring new
   * images with a trained run. Ids are the paths as given; labels are all 0 (unknown). Optional: a loader without
   * it cannot serve `d2ue score`.
   */
  loadImages?(files: readonly string[], options: LoadOptions): Promise<ImageSet>;
}

/** What a builder wrote. */
export interface BuiltDataset {
  /** The Med-AD folder. */
  readonly root: string;

  /** Image counts per split: train (normal), test normal, test abnormal. */
  readonly counts: { readonly train: number; readonly testNormal: number; readonly testAbnormal: number };
}

/** Makes a Med-AD folder from a source (MNIST, a NIfTI volume, DICOM files). Registered as `dataset:<id>`. */
export interface DatasetBuilder {
  /** The plug-in id, e.g. `mnist`. */
  readonly id: string;

  /** Writes `root/images/*` and `root/data.json`; reuses a complete folder built with the same options. */
  build(root: string): Promise<BuiltDataset>;
}
