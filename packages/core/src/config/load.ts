import { readFileSync } from 'node:fs';

import { LineCounter, parse as parseYamlValue, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';

import { D2ueError } from '../errors.js';
import { ConfigSchema, type Config } from './schema.js';

/**
 * Reads a YAML or JSON config file, applies `key.path=value` overrides and validates the result.
 * Errors name the file, the dotted path of the bad field and, for YAML, its line and column.
 */
export function loadConfigFile(file: string, overrides: readonly string[] = []): Config {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new D2ueError('config', `Cannot read config file ${file}: ${(error as Error).message}`, {
      subject: file,
      cause: error,
    });
  }

  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    throw new D2ueError('config', `${file}: not valid YAML or JSON: ${first.message}`, { subject: file });
  }

  const raw: unknown = document.toJS() ?? {};
  const withOverrides = applyOverrides(raw, overrides);
  const overridden = overrides.map((override) => override.slice(0, Math.max(override.indexOf('='), 0)));

  // A field set with --set is reported as such, not at the line of the value it replaced in the file.
  const locateField = (path: readonly PropertyKey[]): string => {
    const dotted = path.map(String).join('.');
    const source = overridden.find((key) => dotted === key || dotted.startsWith(`${key}.`) || key.startsWith(`${dotted}.`));
    return source !== undefined ? ` (from --set ${source})` : locate(document, lineCounter, path);
  };
  return validateConfig(withOverrides, file, locateField);
}

/** Validates a config object; `origin` names where it came from in error messages. */
export function validateConfig(
  raw: unknown,
  origin = 'config',
  locateField: (path: readonly PropertyKey[]) => string = () => '',
): Config {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new D2ueError('config', formatIssues(origin, result.error.issues, locateField), { subject: origin });
  }
  return result.data;
}

/** Renders zod issues one per line as `origin: path (line:col): message`. */
export function formatIssues(
  origin: string,
  issues: readonly z.core.$ZodIssue[],
  locateField: (path: readonly PropertyKey[]) => string = () => '',
): string {
  const lines = issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
    // An unknown key is located at the key itself, not at the object that holds it.
    const where = locateField(issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path);
    const unknownKeys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')}); check the spelling` : '';
    return `  ${path}${where}: ${issue.message}${unknownKeys}`;
  });
  return `Invalid config in ${origin}:\n${lines.join('\n')}\nRun "d2ue schema" to see every key with its type and default.`;
}

/**
 * Applies `a.b.c=value` overrides; the value is read as YAML, so `--set training.epochs=2` gives a number and
 * `--set scorers=[output,dsu]` a list.
 */
export function applyOverrides(raw: unknown, overrides: readonly string[]): unknown {
  const root: Record<string, unknown> = isRecord(raw) ? structuredClone(raw) : {};
  for (const override of overrides) {
    const equals = override.indexOf('=');
    if (equals <= 0) {
      throw new D2ueError('config', `--set ${override}: expected key.path=value, e.g. training.epochs=10.`, {
        subject: override,
      });
    }
    const keys = override.slice(0, equals).split('.');
    const value: unknown = parseYamlValue(override.slice(equals + 1));
    let node = root;
    for (const key of keys.slice(0, -1)) {
      if (!isRecord(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = value;
  }
  return root;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function locate(document: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): string {
  const node = document.getIn(path.map(String), true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0];
  if (offset === undefined) return '';
  const { line, col } = lineCounter.linePos(offset);
  return ` (line ${line}, column ${col})`;
}
