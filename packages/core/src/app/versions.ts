import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';

/** Returns the versions a run records: @d2ue/core's, tfjs-core's and Node's. */
export function packageVersions(): Record<string, string> {
  // Both src/app and dist/app sit two levels below the package root.
  const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return { '@d2ue/core': own.version, '@tensorflow/tfjs-core': tf.version_core, node: process.versions.node };
}
