import { z } from 'zod';

/** Debian's `mricron-data` package: the Colin27 T1 brain MRI (ch2) and its skull-stripped copy (BSD-3). */
export const MRICRON_TEMPLATES = '/usr/share/mricron/templates';

/** Options of the `brain-mri` dataset builder; the image size and seed come from the builder context. */
export const BrainMriOptions = z.strictObject({
  /** The T1 volume sliced into images. */
  volume: z.string().min(1).default(`${MRICRON_TEMPLATES}/ch2.nii.gz`),

  /** The brain mask: voxels > 0 are brain. ch2bet is the skull-stripped ch2, so its non-zero voxels are the brain. */
  mask: z.string().min(1).default(`${MRICRON_TEMPLATES}/ch2bet.nii.gz`),

  /** The slicing axis: 0 sagittal, 1 coronal, 2 axial. */
  axis: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(2),

  /** Keep slices with at least this fraction of brain; 0.1 keeps 122 axial slices of ch2, 61 of them for training. */
  minTissue: z.number().min(0).max(1).default(0.1),

  /** Lesioned copies of each test slice: the first hyper-intense, the second hypo-intense, and so on. */
  lesionsPerSlice: z.number().int().min(1).max(8).default(2),
});

/** Parsed {@link BrainMriOptions}. */
export type BrainMriOptions = z.output<typeof BrainMriOptions>;
