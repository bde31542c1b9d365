import { parse as parseYamlValue } from 'yaml';

import { D2ueError, describeValue } from '../errors.js';
import type { AblationSection } from './schema.js';

/** One value of an axis: the label its table row shows and the config swaps it makes. */
export interface AxisValue {
  readonly label: string;

  /** Dotted config key → value, e.g. `{ 'repulsion.name': 'rar' }`. */
  readonly swaps: Readonly<Record<string, unknown>>;
}

/** One axis of the grid: a config key (or a variants name) and its values, in order. */
export interface Axis {
  readonly name: string;
  readonly values: readonly AxisValue[];
}

/** One combination of axis values: a row of the table. */
export interface GridRow {
  readonly index: number;

  /** One value per axis, in axis order. */
  readonly values: readonly AxisValue[];
}

// A dotted config key: segments of letters, digits, `_` and `-`.
const KEY_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * Parses one `--vary key=v1,v2` option. Values are split at top-level commas (commas inside `[]`, `{}` or quotes
 * stay) and each is read as YAML, as `--set` reads its value: `--vary repulsion.weight=0,0.5,1` gives numbers and
 * `--vary backbone={name: MemAE},{name: AE-U}` gives objects.
 *
 * @example
 * parseVary('repulsion.name=none,rar'); // { name: 'repulsion.name', values: [{ label: 'none', ... }, { label: 'rar', ... }] }
 * @throws D2ueError `config` for a missing `=`, a bad key or an empty value.
 */
export function parseVary(spec: string): Axis {
  const equals = spec.indexOf('=');
  const key = equals > 0 ? spec.slice(0, equals).trim() : '';
  if (!KEY_PATTERN.test(key)) {
    throw new D2ueError('config', `--vary ${spec}: expected key.path=value1,value2, e.g. --vary repulsion.name=none,rar.`, { subject: spec });
  }

  const parts = splitTopLevel(spec.slice(equals + 1));
  if (parts.some((part) => part.trim() === '')) {
    throw new D2ueError('config', `--vary ${spec}: an empty value; separate values with single commas, e.g. ${key}=a,b.`, { subject: spec });
  }
  return { name: key, values: parts.map((part) => plainValue(key, parseYamlValue(part) as unknown)) };
}

/** Splits `text` at commas outside brackets, braces and quotes. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote !== null) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '[' || char === '{') {
      depth++;
    } else if (char === ']' || char === '}') {
      depth--;
    } else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * The axes of a config's `ablation.vary` section, in file order.
 *
 * @throws D2ueError `config` for a bad key in a value list or in a variant.
 */
export function axesFromSection(section: AblationSection | undefined, origin: string): Axis[] {
  if (!section) return [];
  return Object.entries(section.vary).map(([name, axis]) => {
    if (Array.isArray(axis)) {
      if (!KEY_PATTERN.test(name)) {
        throw new D2ueError('config', `${origin}: ablation.vary.${name}: not a dotted config key; name a key such as repulsion.name, or give "variants".`, {
          subject: `ablation.vary.${name}`,
        });
      }
      return { name, values: axis.map((value) => plainValue(name, value)) };
    }
    const values = Object.entries(axis.variants).map(([label, swaps]) => {
      for (const key of Object.keys(swaps)) {
        if (!KEY_PATTERN.test(key)) {
          throw new D2ueError('config', `${origin}: ablation.vary.${name}.variants.${label}: "${key}" is not a dotted config key such as training.learningRate.`, {
            subject: `ablation.vary.${name}`,
          });
        }
      }
      return { label, swaps };
    });
    return { name, values };
  });
}

/** File axes with command-line axes of the same name replacing them in place, then the new command-line axes. */
export function mergeAxes(fileAxes: readonly Axis[], cliAxes: readonly Axis[]): Axis[] {
  const cli = new Map(cliAxes.map((axis) => [axis.name, axis]));
  const merged = fileAxes.map((axis) => cli.get(axis.name) ?? axis);
  const present = new Set(fileAxes.map((axis) => axis.name));
  return [...merged, ...cliAxes.filter((axis) => !present.has(axis.name))];
}

/**
 * The cross product of the axes; the first axis changes slowest. No axes give one row (the base config).
 *
 * @example
 * crossProduct([parseVary('a=1,2'), parseVary('b=x,y')]).length; // 4
 */
export function crossProduct(axes: readonly Axis[]): GridRow[] {
  let combinations: AxisValue[][] = [[]];
  for (const axis of axes) combinations = combinations.flatMap((prefix) => axis.values.map((value) => [...prefix, value]));
  return combinations.map((values, index) => ({ index, values }));
}

/**
 * Parses `--seeds 1,2,3`.
 *
 * @throws D2ueError `config` for a value that is not a whole number, or a repeated seed.
 */
export function parseSeeds(text: string): number[] {
  const seeds = text.split(',').map((part) => Number(part.trim()));
  if (seeds.length === 0 || seeds.some((seed) => !Number.isInteger(seed))) {
    throw new D2ueError('config', `--seeds ${text}: expected whole numbers separated by commas, e.g. --seeds 1,2,3.`, { subject: text });
  }
  if (new Set(seeds).size !== seeds.length) {
    throw new D2ueError('config', `--seeds ${text}: a seed is repeated; each seed is one repeat of every cell.`, { subject: text });
  }
  return seeds;
}

/**
 * Sets `a.b.c` in a plain object, creating objects on the way (as `--set` does).
 */
export function setPath(root: Record<string, unknown>, key: string, value: unknown): void {
  const keys = key.split('.');
  let node = root;
  for (const part of keys.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = structuredClone(value);
}

/** The label of a plain value: strings as they are, anything else as compact JSON. */
export function valueLabel(value: unknown): string {
  return typeof value === 'string' ? value : describeValue(value);
}

function plainValue(key: string, value: unknown): AxisValue {
  return { label: valueLabel(value), swaps: { [key]: value } };
}
