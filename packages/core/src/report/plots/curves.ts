import type { TopLevelSpec } from 'vega-lite';

import { precisionRecallCurve } from '../../metrics/pr-curve.js';
import { rocCurve } from '../../metrics/roc.js';
import { PLOT_CONFIG } from './render.js';

/** One scorer's labelled scores and headline metrics, as a curve plot needs them. */
export interface CurveInput {
  readonly scorer: string;
  readonly scores: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  readonly auroc: number;
  readonly averagePrecision: number;
}

/**
 * Vega-Lite spec of the ROC curves of several scorers on one chart, with each scorer's AUROC in the legend and the
 * chance diagonal dashed.
 *
 * @example
 * const spec = rocSpec(inputs, 3);
 */
export function rocSpec(inputs: readonly CurveInput[], members: number): TopLevelSpec {
  const values: Array<{ series: string; x: number; y: number; order: number }> = [];
  for (const input of inputs) {
    const series = `${input.scorer} (AUC ${input.auroc.toFixed(3)})`;
    const roc = rocCurve(input.scores, input.labels);
    roc.fpr.forEach((x, i) => values.push({ series, x, y: roc.tpr[i]!, order: i }));
  }

  return curveSpec({
    title: `ROC curves, test split (K = ${members})`,
    subtitle: 'dashed: chance (AUC 0.5)',
    values,
    xTitle: '1 − specificity (false positive rate)',
    yTitle: 'sensitivity (true positive rate)',
    legendTitle: 'scorer (AUROC)',
    interpolate: 'linear',
    legendCorner: 'bottom-right',
    reference: [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ],
  });
}

/**
 * Vega-Lite spec of the precision-recall curves of several scorers, stepped as average precision integrates them,
 * with each scorer's AP in the legend and the abnormal fraction (chance AP) dashed.
 *
 * @example
 * const spec = prSpec(inputs, 3);
 */
export function prSpec(inputs: readonly CurveInput[], members: number): TopLevelSpec {
  const values: Array<{ series: string; x: number; y: number; order: number }> = [];
  let prevalence = 0;
  for (const input of inputs) {
    const series = `${input.scorer} (AP ${input.averagePrecision.toFixed(3)})`;
    const pr = precisionRecallCurve(input.scores, input.labels);
    pr.recall.forEach((x, i) => values.push({ series, x, y: pr.precision[i]!, order: i }));
    prevalence = pr.precision[pr.precision.length - 1]!;
  }

  return curveSpec({
    title: `Precision-recall curves, test split (K = ${members})`,
    subtitle: `dashed: chance (AP = abnormal fraction ${prevalence.toFixed(3)})`,
    values,
    xTitle: 'recall = sensitivity (fraction of abnormal images)',
    yTitle: 'precision (fraction of flagged images)',
    legendTitle: 'scorer (AP)',
    interpolate: 'step-before',
    // A PR curve starts high on the left, so the lower left corner is the emptiest.
    legendCorner: 'bottom-left',
    reference: [
      { x: 0, y: prevalence },
      { x: 1, y: prevalence },
    ],
  });
}

interface CurveSpecArgs {
  readonly title: string;
  readonly subtitle: string;
  readonly values: ReadonlyArray<{ series: string; x: number; y: number; order: number }>;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly legendTitle: string;
  readonly interpolate: 'linear' | 'step-before';
  readonly legendCorner: 'bottom-right' | 'bottom-left';
  readonly reference: ReadonlyArray<{ x: number; y: number }>;
}

function curveSpec(args: CurveSpecArgs): TopLevelSpec {
  const axis = { scale: { domain: [0, 1] }, type: 'quantitative' as const };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: args.title, subtitle: args.subtitle },
    width: 420,
    // Tall enough that the rotated y-axis title fits beside the plot and adds no blank space above it.
    height: 400,
    config: PLOT_CONFIG,
    layer: [
      {
        data: { values: [...args.reference] },
        mark: { type: 'line', strokeDash: [6, 4], color: '#888888', strokeWidth: 1.5 },
        encoding: { x: { field: 'x', ...axis, title: args.xTitle }, y: { field: 'y', ...axis, title: args.yTitle } },
      },
      {
        data: { values: [...args.values] },
        mark: { type: 'line', interpolate: args.interpolate, strokeWidth: 2.2 },
        encoding: {
          x: { field: 'x', ...axis, title: args.xTitle },
          y: { field: 'y', ...axis, title: args.yTitle },
          order: { field: 'order', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', title: args.legendTitle, legend: { orient: args.legendCorner, direction: 'vertical' } },
        },
      },
    ],
  };
}
