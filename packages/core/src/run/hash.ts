import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** SHA-256 of a file's bytes, hex. */
export function hashFile(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** SHA-256 of a string or bytes, hex. */
export function hashBytes(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
