/**
 * Pixel-level AUROC: the image AUROC computed over every test pixel, pixel maps as scores and masks as labels.
 *
 * Source: the pixel-wise ROC of the MVTec AD benchmark (Bergmann et al., CVPR 2019), equal to scikit-learn's
 * `roc_auc_score(masks.ravel(), maps.ravel())`. Every pixel of a normal image is a negative (its mask is all 0), so
 * false alarms on normal images lower the score.
 */

import { auroc } from './auroc.js';
import { checkPixelInputs } from './pixel-checks.js';

/**
 * Area under the pixel-level ROC curve; tied map values form one threshold, as in {@link auroc}.
 *
 * NOTE: the sort behind {@link auroc} takes about 0.8 s for 10⁶ pixels (183 test images at 64×64 are 0.75·10⁶) and
 * allocates an index array of that length.
 *
 * @param maps - The pixel maps of all test images, image after image, row-major (higher = more anomalous).
 * @param masks - The 0/1 masks in the same order.
 * @returns A value in [0, 1].
 * @example
 * pixelAuroc(Float32Array.of(0.1, 0.9, 0.2, 0.3), Uint8Array.of(0, 1, 0, 0)); // 1
 * @throws D2ueError (code `data`) when the lengths differ, a map value is not finite, a mask value is not 0 or 1,
 *   or the masks lack anomalous or normal pixels.
 */
export function pixelAuroc(maps: ArrayLike<number>, masks: ArrayLike<number>): number {
  checkPixelInputs('pixel AUROC', maps, masks);
  return auroc(maps, masks);
}
