import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import type { ScorerOutcome } from '../../evaluation/evaluate.js';
import type { TopAnomalyMaps } from '../../evaluation/top-maps.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { anomalyGridSvg } from './anomaly-grid.js';
import { prSpec, rocSpec, type CurveInput } from './curves.js';
import { histogramSpec } from './histogram.js';
import { renderSvg, svgToPng } from './render.js';

/** Options of {@link writePlots}. */
export interface WritePlotsOptions {
  /** Top-k pixel maps per scorer, for the anomaly-map grids; none drawn when omitted. */
  readonly maps?: readonly TopAnomalyMaps[];

  /** Appended to every file name, e.g. `.k3`, so plots of different ensemble sizes sit side by side. */
  readonly suffix?: string;

  /** Tags that tell apart two outcomes of one scorer id (e.g. `single.1a2b3c4d`), by outcome index. */
  readonly tags?: readonly string[];

  /** Curves of scorers evaluated earlier, drawn on the ROC and PR charts before these outcomes' curves. */
  readonly extraCurves?: readonly CurveInput[];
}

/**
 * Writes `reports/plots/*.svg` and `*.png` for the scorers that produced scores ("n/a" outcomes are skipped):
 * `hist-<scorer>` (normal vs abnormal histogram with the χ² distance), `roc` and `pr` (all scorers, AUC and AP in
 * the legend), and `maps-<scorer>` (top-k anomaly maps over their images) when maps are given.
 *
 * @returns The paths written.
 * @example
 * const files = await writePlots(runDir, evaluation.outcomes, { maps, suffix: '.k3' });
 */
export async function writePlots(runDir: string, outcomes: readonly ScorerOutcome[], options: WritePlotsOptions = {}): Promise<string[]> {
  const dir = join(runDir, 'reports', 'plots');
  mkdirSync(dir, { recursive: true });
  const suffix = options.suffix ?? '';
  const written: string[] = [];

  const save = async (name: string, svg: string): Promise<void> => {
    const base = join(dir, `${name}${suffix}`);
    writeFileAtomic(`${base}.svg`, svg);
    writeFileAtomic(`${base}.png`, await svgToPng(svg));
    written.push(`${base}.svg`, `${base}.png`);
  };

  const curves: CurveInput[] = [...(options.extraCurves ?? [])];
  let members = 0;
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.status !== 'ok') continue;
    const tag = options.tags?.[index] ?? outcome.scorer;
    const scores = outcome.scores.map((entry) => entry.score);
    const labels = outcome.scores.map((entry) => entry.label);
    members = outcome.members;

    await save(`hist-${tag}`, await renderSvg(histogramSpec(tag, outcome.members, scores, labels)));
    curves.push({ scorer: tag, scores, labels, auroc: outcome.auroc, averagePrecision: outcome.averagePrecision });
  }

  if (curves.length > 0) {
    await save('roc', await renderSvg(rocSpec(curves, members)));
    await save('pr', await renderSvg(prSpec(curves, members)));
  }

  for (const top of options.maps ?? []) {
    if (top.entries.length > 0) await save(`maps-${top.scorer}`, await anomalyGridSvg(top, members));
  }

  return written;
}
