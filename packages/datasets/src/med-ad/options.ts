import { z } from 'zod';

/** Options of the `med-ad` loader: none yet; the image size and intensity range come with each `load` call. */
export const MedAdLoaderOptions = z.strictObject({});

/** Parsed {@link MedAdLoaderOptions}. */
export type MedAdLoaderOptions = z.output<typeof MedAdLoaderOptions>;
