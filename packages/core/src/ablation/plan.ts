import { isAbsolute, resolve } from 'node:path';

import { loadConfigFile, validateConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { D2ueError } from '../errors.js';
import { hashBytes } from '../run/hash.js';
import { axesFromSection, crossProduct, mergeAxes, parseVary, setPath, type Axis, type GridRow } from './grid.js';
import { canonicalJson, type ScorerEntry } from './keys.js';

/** The request of one `d2ue ablate` command. */
export interface AblationRequest {
  /** The base config file (YAML or JSON), optionally with an `ablation:` section. */
  readonly file: string;

  /** `--vary key=v1,v2` options; an axis named like one in the file replaces it. */
  readonly vary?: readonly string[];

  /** `--seeds`; replaces `ablation.seeds`. */
  readonly seeds?: readonly number[];

  /** `--set key=value` overrides of the base config. */
  readonly set?: readonly string[];

  /** The folder relative `data.root` paths are read from. Default: the working folder. */
  readonly cwd?: string;
}

/** One training-and-evaluation unit: a row of the grid with one seed. */
export interface AblationCell {
  readonly index: number;
  readonly row: number;
  readonly seed: number;

  /** The full config of the cell (swaps and seed applied, validated). */
  readonly config: Config;

  /** `repulsion.name=rar, seed 2`, for progress lines and errors. */
  readonly label: string;
}

/** An expanded grid, ready to run or to estimate. */
export interface AblationPlan {
  /** The config file. */
  readonly source: string;

  /** The base config without its `ablation` section. */
  readonly base: Config;

  /** The row axes (scorers are columns, seeds are repeats, so neither is among them). */
  readonly axes: readonly Axis[];
  readonly rows: readonly GridRow[];
  readonly seeds: readonly number[];
  readonly cells: readonly AblationCell[];

  /** The scorer columns. */
  readonly scorers: readonly ScorerEntry[];

  /** SHA-256 (12 hex digits) of the base config, the axes and the seeds: what the table is of. */
  readonly configHash: string;
}

/**
 * Reads the base config, merges its `ablation:` grid with the command line, and expands the cross product into
 * cells (rows × seeds), each with a validated config. An axis named `scorers` sets the scorer columns instead of
 * adding rows.
 *
 * @example
 * const plan = planAblation({ file: 'base.yaml', vary: ['repulsion.name=none,rar'], seeds: [1, 2] });
 * plan.cells.length; // 4
 * @throws D2ueError `config` for an unreadable or invalid file, a bad `--vary`, a swap of `training.seed` (use
 *   seeds) or a cell whose config is invalid.
 */
export function planAblation(request: AblationRequest): AblationPlan {
  const loaded = loadConfigFile(request.file, request.set ?? []);
  const { ablation, ...rest } = loaded;
  const cwd = request.cwd ?? process.cwd();

  const merged = mergeAxes(axesFromSection(ablation, request.file), (request.vary ?? []).map(parseVary));
  const scorerAxis = merged.find((axis) => axis.name === 'scorers' && axis.values.every((value) => Object.keys(value.swaps).join() === 'scorers'));
  const axes = merged.filter((axis) => axis !== scorerAxis);
  for (const axis of axes) checkSwaps(axis, request.file);

  const base = validateConfig(
    scorerAxis ? { ...rest, scorers: scorerAxis.values.flatMap((value) => [value.swaps.scorers].flat()) } : rest,
    `${request.file} (scorers)`,
  );
  const seeds = [...(request.seeds ?? ablation?.seeds ?? [base.training.seed])];
  const rows = crossProduct(axes);

  const cells: AblationCell[] = [];
  for (const row of rows) {
    for (const seed of seeds) {
      const label = [...row.values.map((value, i) => `${axes[i]!.name}=${value.label}`), `seed ${seed}`].join(', ');
      const raw = structuredClone(base) as Record<string, unknown>;
      for (const value of row.values) for (const [key, swapped] of Object.entries(value.swaps)) setPath(raw, key, swapped);
      setPath(raw, 'training.seed', seed);
      const config = validateConfig(raw, `${request.file} with ${label}`);
      cells.push({ index: cells.length, row: row.index, seed, config: withAbsoluteRoot(config, cwd), label });
    }
  }

  const identity = { base, axes: axes.map((axis) => ({ name: axis.name, values: axis.values })), seeds };
  return {
    source: request.file,
    base,
    axes,
    rows,
    seeds,
    cells,
    scorers: base.scorers,
    configHash: hashBytes(canonicalJson(identity)).slice(0, 12),
  };
}

/** Seeds are repeats and scorers are columns: an axis may swap neither. */
function checkSwaps(axis: Axis, file: string): void {
  for (const value of axis.values) {
    for (const key of Object.keys(value.swaps)) {
      if (key === 'training.seed') {
        throw new D2ueError(
          'config',
          `${file}: axis "${axis.name}" swaps ${key}; give seeds with --seeds 1,2,3 or ablation.seeds instead, so each cell is averaged over them.`,
          { subject: axis.name },
        );
      }
      if (key === 'scorers' || key.startsWith('scorers.')) {
        throw new D2ueError(
          'config',
          `${file}: axis "${axis.name}" swaps ${key}; scorers are the table's columns, so list them in "scorers" (or --vary scorers=a,b).`,
          { subject: axis.name },
        );
      }
    }
  }
}

function withAbsoluteRoot(config: Config, cwd: string): Config {
  const root = config.data.root;
  if (root === undefined || isAbsolute(root)) return config;
  return { ...config, data: { ...config.data, root: resolve(cwd, root) } };
}
