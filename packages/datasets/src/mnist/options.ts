import { z } from 'zod';

/**
 * Options of the `mnist` dataset builder. One digit is the normal class; the defaults make a set small enough to
 * build in seconds and train a tiny model on.
 */
export const MnistOptions = z.strictObject({
  /** The digit that counts as normal (label 0); every other digit is an anomaly. */
  normalClass: z.number().int().min(0).max(9).default(0),

  /** Normal training images, drawn from the 60 000-image MNIST training file. */
  train: z.number().int().min(1).default(1000),

  /** Normal test images, drawn from the 10 000-image MNIST test file. */
  testNormal: z.number().int().min(1).default(200),

  /** Abnormal test images, drawn from the test file as evenly as possible across the nine other digits. */
  testAbnormal: z.number().int().min(1).default(200),
});

/** Parsed {@link MnistOptions}. */
export type MnistOptions = z.output<typeof MnistOptions>;
