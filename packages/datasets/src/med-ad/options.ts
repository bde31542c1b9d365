import { z } from 'zod';

/**
 * Options of the `med-ad` loader. The image size and intensity range come with each `load` call; these set how
 * strict and how cached the loading is.
 */
export const MedAdLoaderOptions = z.strictObject({
  /**
   * Keep the resized images of a folder in the d2ue cache (`$D2UE_CACHE` or `.d2ue-cache`), keyed by a hash of the
   * file contents and the image size, so a second load skips decoding.
   */
  cache: z.boolean().default(true),

  /**
   * Require normal (`test.0`) and abnormal (`test.1`) test images. AUROC and AP are undefined with one class, so
   * this is on for training and scoring; turn it off to load a folder made for training only.
   */
  requireBothClasses: z.boolean().default(true),
});

/** Parsed {@link MedAdLoaderOptions}. */
export type MedAdLoaderOptions = z.output<typeof MedAdLoaderOptions>;
