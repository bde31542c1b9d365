import type { TopLevelSpec } from 'vega-lite';

import { chi2Distance, scoreHistograms } from './chi2.js';
import { PLOT_CONFIG } from './render.js';

/** The two classes' colours, kept apart for colour-blind readers (blue vs orange). */
export const CLASS_COLOURS = { normal: '#1f77b4', abnormal: '#ff7f0e' } as const;

/**
 * Vega-Lite spec of the official D2UE score histogram: normal and abnormal densities over 100 bins of the min-max
 * normalised scores, overlaid, with the χ² distance between them in the title (official test.py
 * `anomaly_score_histogram`).
 *
 * @example
 * const spec = histogramSpec('dsu', 3, scores, labels);
 */
export function histogramSpec(scorer: string, members: number, scores: ArrayLike<number>, labels: ArrayLike<number>): TopLevelSpec {
  const histograms = scoreHistograms(scores, labels);
  const chi2 = chi2Distance(histograms.normal, histograms.abnormal);

  const width = 1 / histograms.bins;
  const values: Array<{ start: number; end: number; density: number; class: string }> = [];
  for (const [name, densities] of [['normal', histograms.normal], ['abnormal', histograms.abnormal]] as const) {
    densities.forEach((density, bin) => {
      if (density > 0) values.push({ start: bin * width, end: (bin + 1) * width, density, class: name });
    });
  }

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${scorer} (K = ${members}): anomaly scores of normal vs abnormal test images`,
      subtitle: `χ² distance ${chi2.toFixed(2)} (official D2UE definition, 100 bins); higher separates better`,
    },
    width: 560,
    height: 300,
    config: PLOT_CONFIG,
    data: { values },
    mark: { type: 'rect', opacity: 0.55 },
    encoding: {
      x: { field: 'start', type: 'quantitative', title: 'anomaly score, min-max normalised (unitless)', scale: { domain: [0, 1] } },
      x2: { field: 'end' },
      y: { field: 'density', type: 'quantitative', title: 'density (per unit score)', stack: null },
      color: {
        field: 'class',
        type: 'nominal',
        title: `class (χ² ${chi2.toFixed(2)})`,
        scale: { domain: ['normal', 'abnormal'], range: [CLASS_COLOURS.normal, CLASS_COLOURS.abnormal] },
      },
    },
  };
}
