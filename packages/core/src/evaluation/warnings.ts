/**
 * Warnings about a scorer's image scores that do not stop an evaluation but make its metrics meaningless or weak.
 */

/**
 * Warns when every image score is equal (e.g. zero disagreement between identical members), so the metrics only
 * reflect tie handling: AUROC 0.5 and AP equal to the abnormal fraction.
 *
 * @example
 * tieWarnings('output', Float64Array.from([0, 0, 0])); // ['all 3 image scores of "output" are equal (0); …']
 */
export function tieWarnings(scorer: string, values: ArrayLike<number>): string[] {
  if (values.length < 2) return [];
  const first = values[0] as number;
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return [];

  return [
    `all ${values.length} image scores of "${scorer}" are equal (${first}), so it cannot rank the images and its AUROC (0.5) ` +
      'and AP (the abnormal fraction) are meaningless. A disagreement scorer gives 0 everywhere when the members are ' +
      'identical; check that the members were trained with different seeds or a repulsion term.',
  ];
}
