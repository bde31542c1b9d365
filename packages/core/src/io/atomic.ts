import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { D2ueError } from '../errors.js';

/**
 * Writes `data` to `file` so that a crash or kill never leaves a partial file under the final name. The bytes go to
 * a temporary file in the same folder and are flushed to disk. Then the file is renamed over the target, which is
 * atomic on POSIX file systems.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    const descriptor = openSync(temporary, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(descriptor, bytes, written, bytes.length - written);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new D2ueError('io', `Cannot write ${file}: ${(error as Error).message}`, { subject: file, cause: error });
  }
}
