import { InvalidArgumentError } from 'commander';

import { BACKEND_NAMES, type BackendName } from '../config/schema.js';

// Commander turns an InvalidArgumentError into "option '--name <value>' argument 'x' is invalid. <reason>", so each
// message below names the option and the value without repeating them.

/** Parses a whole number ≥ 1 for a CLI option (`--epochs`, `--ensemble-size`, `--batch-size`). */
export function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('Expected a whole number ≥ 1.');
  return count;
}

/** Parses a whole number for a CLI option (`--seed`). */
export function parseInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError('Expected a whole number.');
  return number;
}

/** Parses `--backend`: one of auto, gpu, node, wasm, cpu. */
export function parseBackend(value: string): BackendName {
  if (!(BACKEND_NAMES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`Choose one of ${BACKEND_NAMES.join(', ')}.`);
  }
  return value as BackendName;
}
