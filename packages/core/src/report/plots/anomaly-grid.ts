import sharp from 'sharp';

import type { TopAnomalyMaps } from '../../evaluation/top-maps.js';
import { inferno, infernoStops } from './colormap.js';
import { PLOT_FONT } from './render.js';

// Layout in SVG pixels.
const TILE = 128;
const GAP = 10;
const LEFT = 110;
const TOP = 64;
const CAPTION = 58;
const FOOTER = 80;

/** Opacity of the pixel map over the image in the overlay row (0 = image only, 1 = map only). */
const OVERLAY_ALPHA = 0.55;

/**
 * Draws an SVG grid of the highest-scoring test images of one scorer: the input image on the top row, its pixel map in
 * the inferno colour map blended over it (sharp `composite`) on the bottom row, and under each column its rank,
 * label, image score and id. All maps share one colour scale, shown as a colour bar, so columns compare directly.
 * The tiles are PNGs embedded as data URIs, so the SVG is self-contained.
 *
 * @example
 * const svg = await anomalyGridSvg(top, 3);
 */
export async function anomalyGridSvg(top: TopAnomalyMaps, members: number): Promise<string> {
  const count = top.entries.length;
  const area = top.size * top.size;

  // One colour scale for the whole grid.
  let low = Infinity;
  let high = -Infinity;
  for (const value of top.maps) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const span = high > low ? high - low : 1;

  const width = LEFT + count * (TILE + GAP) + GAP;
  const height = TOP + 2 * TILE + GAP + CAPTION + FOOTER;
  const parts: string[] = [];
  parts.push(
    `<text x="${GAP}" y="26" font-size="17" font-weight="bold">${escapeXml(`${top.scorer} (K = ${members}): top-${count} anomaly maps, highest image score first`)}</text>`,
    `<text x="${GAP}" y="48" font-size="13" fill="#444">${escapeXml('top row: input image (grey, [-1, 1]); bottom row: pixel map (inferno) blended over it')}</text>`,
    `<text x="${GAP}" y="${TOP + TILE / 2 + 5}" font-size="13">input</text>`,
    `<text x="${GAP}" y="${TOP + TILE + GAP + TILE / 2 - 4}" font-size="13">pixel map</text>`,
    `<text x="${GAP}" y="${TOP + TILE + GAP + TILE / 2 + 13}" font-size="13">over input</text>`,
  );

  for (let column = 0; column < count; column++) {
    const image = top.images.subarray(column * area, (column + 1) * area);
    const map = top.maps.subarray(column * area, (column + 1) * area);
    const { grey, overlay } = await tiles(image, map, top.size, low, span);
    const x = LEFT + column * (TILE + GAP);
    const entry = top.entries[column]!;
    parts.push(
      imageTag(x, TOP, grey),
      imageTag(x, TOP + TILE + GAP, overlay),
      caption(x, TOP + 2 * TILE + GAP + 18, `#${column + 1} ${entry.label === 1 ? 'abnormal' : 'normal'}`, entry.label === 1 ? '#c0392b' : '#1f5fa8'),
      caption(x, TOP + 2 * TILE + GAP + 34, `score ${formatNumber(entry.score)}`, '#222'),
      caption(x, TOP + 2 * TILE + GAP + 50, shorten(entry.id, 18), '#666'),
    );
  }

  parts.push(colourBar(LEFT, height - FOOTER + 18, Math.min(360, width - LEFT - GAP), low, high));

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="${PLOT_FONT}">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join('')}</svg>`
  );
}

/** Renders the grey tile and the overlay tile of one image as PNG buffers of TILE x TILE pixels. */
async function tiles(image: Float32Array, map: Float32Array, size: number, low: number, span: number): Promise<{ grey: Buffer; overlay: Buffer }> {
  const grey = Buffer.alloc(size * size * 3);
  const heat = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) {
    const level = Math.round(((Math.min(Math.max(image[i]!, -1), 1) + 1) / 2) * 255);
    grey.fill(level, i * 3, i * 3 + 3);
    const [r, g, b] = inferno((map[i]! - low) / span);
    heat[i * 4] = r;
    heat[i * 4 + 1] = g;
    heat[i * 4 + 2] = b;
    heat[i * 4 + 3] = Math.round(OVERLAY_ALPHA * 255);
  }

  // Nearest-neighbour enlargement keeps each pixel of the map visible as a square.
  const raw = { raw: { width: size, height: size, channels: 3 as const } };
  const enlarge = { width: TILE, height: TILE, kernel: 'nearest' as const };
  const greyPng = await sharp(grey, raw).resize(enlarge).png().toBuffer();
  const heatTile = await sharp(heat, { raw: { width: size, height: size, channels: 4 } }).resize(enlarge).png().toBuffer();
  const overlay = await sharp(greyPng).composite([{ input: heatTile, blend: 'over' }]).png().toBuffer();
  return { grey: greyPng, overlay };
}

function imageTag(x: number, y: number, png: Buffer): string {
  return `<image x="${x}" y="${y}" width="${TILE}" height="${TILE}" xlink:href="data:image/png;base64,${png.toString('base64')}"/>`;
}

function caption(x: number, y: number, text: string, colour: string): string {
  return `<text x="${x + TILE / 2}" y="${y}" font-size="12" text-anchor="middle" fill="${colour}">${escapeXml(text)}</text>`;
}

function colourBar(x: number, y: number, width: number, low: number, high: number): string {
  const stops = infernoStops()
    .map((stop) => `<stop offset="${stop.offset}" stop-color="${stop.color}"/>`)
    .join('');
  return (
    `<defs><linearGradient id="inferno">${stops}</linearGradient></defs>` +
    `<text x="${GAP}" y="${y + 13}" font-size="13">colour scale</text>` +
    `<rect x="${x}" y="${y}" width="${width}" height="16" fill="url(#inferno)" stroke="#444" stroke-width="0.5"/>` +
    `<text x="${x}" y="${y + 32}" font-size="12">${escapeXml(formatNumber(low))}</text>` +
    `<text x="${x + width}" y="${y + 32}" font-size="12" text-anchor="end">${escapeXml(formatNumber(high))}</text>` +
    `<text x="${x}" y="${y + 50}" font-size="12" fill="#444">${escapeXml('pixel map value (scorer units, one scale for all)')}</text>`
  );
}

/** Four significant digits, in exponent form for very small or large values. */
export function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-2 || magnitude >= 1e4) ? value.toExponential(3) : value.toPrecision(4);
}

function shorten(text: string, limit: number): string {
  return text.length <= limit ? text : `…${text.slice(text.length - limit + 1)}`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
