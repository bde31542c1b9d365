import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

import type { GreyImage } from './decode.js';

/**
 * Writes a grey image as an 8-bit or 16-bit grey PNG (by its depth), creating the parent folder.
 *
 * @example
 * await writeGreyPng('/data/out/images/a.png', { pixels, width: 64, height: 64, depth: 8, colour: false });
 */
export async function writeGreyPng(file: string, image: Pick<GreyImage, 'pixels' | 'width' | 'height' | 'depth'>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: 1 } })
    .toColourspace(image.depth === 16 ? 'grey16' : 'b-w')
    .png()
    .toFile(file);
}
