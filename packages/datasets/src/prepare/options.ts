import { z } from 'zod';

/** `<centre>,<width>` or `file`. */
const Window = z
  .string()
  .regex(/^(file|-?\d+(\.\d+)?,\d+(\.\d+)?)$/, 'must be "<centre>,<width>" (e.g. "40,400") or "file"')
  .transform((text) => {
    if (text === 'file') return 'file' as const;
    const [center, width] = text.split(',').map(Number) as [number, number];
    return { center, width };
  });

const Count = z.coerce.number().int().min(1);

/** Options of `d2ue prepare dicom`, as commander hands them over (strings), with their defaults. */
export const PrepareDicomCommandOptions = z.strictObject({
  labels: z.string().min(1),
  out: z.string().min(1),
  bits: z.enum(['8', '16']).default('8').transform((bits) => (bits === '8' ? 8 : 16) as 8 | 16),
  size: Count.optional(),
  window: Window.optional(),
  testNormal: Count.optional(),
  seed: z.string().min(1).default('0'),
  idColumn: z.string().min(1).default('id'),
  labelColumn: z.string().min(1).default('label'),
  splitColumn: z.string().min(1).default('split'),
});

/** Parsed {@link PrepareDicomCommandOptions}. */
export type PrepareDicomCommandOptions = z.output<typeof PrepareDicomCommandOptions>;

/** Options of `d2ue prepare nifti`. */
export const PrepareNiftiCommandOptions = z.strictObject({
  out: z.string().min(1),
  mask: z.string().min(1).optional(),
  axis: z.enum(['0', '1', '2']).default('2').transform((axis) => Number(axis) as 0 | 1 | 2),
  slices: z
    .string()
    .regex(/^\d+:\d+$/, 'must be "<start>:<end>", e.g. "40:140"')
    .transform((text) => text.split(':').map(Number) as [number, number])
    .optional(),
  minTissue: z.coerce.number().min(0).max(1).default(0.1),
  size: Count.default(64),
  bits: z.enum(['8', '16']).default('8').transform((bits) => (bits === '8' ? 8 : 16) as 8 | 16),
  lesions: z.coerce.number().int().min(0).max(8).default(2),
  seed: z.string().min(1).default('0'),
});

/** Parsed {@link PrepareNiftiCommandOptions}. */
export type PrepareNiftiCommandOptions = z.output<typeof PrepareNiftiCommandOptions>;
