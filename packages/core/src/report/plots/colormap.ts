/**
 * The inferno colour map (perceptually uniform, readable in grey print), as 17 evenly spaced stops of matplotlib's
 * `inferno` (matplotlib.colormaps['inferno'](i / 16), rounded to 8 bits), interpolated linearly between stops.
 */
const INFERNO: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 4], [11, 7, 36], [33, 12, 74], [61, 9, 101], [87, 16, 110], [113, 25, 110], [138, 34, 106], [163, 44, 97],
  [188, 55, 84], [210, 70, 68], [228, 90, 49], [241, 115, 29], [249, 142, 9], [252, 172, 17], [249, 203, 53],
  [242, 234, 105], [252, 255, 164],
];

/**
 * Returns the inferno colour of `t` in [0, 1] (clamped), as 8-bit RGB.
 *
 * @example
 * inferno(1); // [252, 255, 164]
 */
export function inferno(t: number): [number, number, number] {
  const position = Math.min(Math.max(Number.isFinite(t) ? t : 0, 0), 1) * (INFERNO.length - 1);
  const below = Math.min(Math.floor(position), INFERNO.length - 2);
  const fraction = position - below;
  const a = INFERNO[below]!;
  const b = INFERNO[below + 1]!;
  return [0, 1, 2].map((channel) => Math.round(a[channel]! + (b[channel]! - a[channel]!) * fraction)) as [number, number, number];
}

/** Returns the map's stops as SVG gradient stops, for a colour bar. */
export function infernoStops(): Array<{ offset: number; color: string }> {
  return INFERNO.map(([r, g, b], i) => ({ offset: i / (INFERNO.length - 1), color: `rgb(${r},${g},${b})` }));
}
