import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Font list of every plot. DejaVu Sans comes with Debian's fonts-dejavu-core, which sharp's librsvg finds. */
export const PLOT_FONT = 'DejaVu Sans, Arial, sans-serif';

/** Chart styling shared by every plot: readable sizes at 100 % zoom. */
export const PLOT_CONFIG = {
  font: PLOT_FONT,
  title: { fontSize: 15, anchor: 'start', offset: 10 },
  axis: { labelFontSize: 12, titleFontSize: 13, grid: true, gridOpacity: 0.4 },
  legend: { labelFontSize: 12, titleFontSize: 13, labelLimit: 400, titleLimit: 400 },
  background: 'white',
} as const;

/**
 * Renders a Vega-Lite spec to an SVG document without a browser (vega's headless `toSVG`).
 *
 * @example
 * const svg = await renderSvg({ mark: 'point', data: { values: [{ x: 1 }] }, encoding: { x: { field: 'x' } } });
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises an SVG document to PNG at `scale` times its size (2 gives crisp text in papers and on HiDPI screens).
 *
 * @example
 * const png = await svgToPng(svg);
 */
export async function svgToPng(svg: string, scale = 2): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 72 * scale }).png().toBuffer();
}
