#!/usr/bin/env node
// Packs every package of the repository with `npm pack`, installs the tarballs into an empty folder outside the
// repository together with @tensorflow/tfjs-core 4.22.0 (the other dependencies come from the npm registry), and
// runs a script there that imports them, builds a tiny one-class MNIST Med-AD folder, trains a one-epoch tiny
// ensemble on the cpu backend, scores it, and runs the installed `d2ue` binary.
// Usage: node scripts/pack-check.mjs [--keep]   (--keep leaves the temporary folder for inspection)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));

/** The packed packages: the five of the framework and the two example plug-ins. */
export const PACKED = [
  'packages/core',
  'packages/backbones',
  'packages/repulsion',
  'packages/uncertainty',
  'packages/datasets',
  'examples/backbone-tiny-ae',
  'examples/scorer-max-error',
];

// Runs in the scratch install: only the installed packages are importable there.
const CHECK = `
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DEFAULT_PLUGINS, evaluateRun, loadPlugins, resolveDescriptor, trainRun, validateConfig } from '@d2ue/core';

const plugins = [...DEFAULT_PLUGINS, 'd2ue-example-backbone', 'd2ue-example-scorer'];
const scratch = mkdtempSync(join(tmpdir(), 'd2ue-pack-run-'));
process.env.D2UE_CACHE = join(scratch, 'cache');

// A tiny Med-AD folder from the installed MNIST builder.
const container = await loadPlugins(plugins);
const mnist = resolveDescriptor(container, 'dataset', 'mnist');
const options = mnist.options.parse({ normalClass: 0, train: 64, testNormal: 16, testAbnormal: 16 });
const built = await mnist.create(options, { imageSize: 32, seed: 'pack' }).build(join(scratch, 'mnist0'));

const config = validateConfig({
  backbone: { name: 'AE', imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 },
  repulsion: { name: 'rar', weight: 1, tap: 4 },
  ensemble: { size: 2 },
  training: { epochs: 1, batchSize: 16, seed: 8 },
  data: { root: built.root },
  scorers: ['reconstruction', 'dsu', 'max-error'],
  backend: 'cpu',
  plugins,
});
const run = await trainRun(config, { out: join(scratch, 'run') });
for (const member of run.members) member.dispose();

const { rows } = await evaluateRun(run.runDir, { plots: false, bootstrapResamples: 20 });
const tinyAe = resolveDescriptor(container, 'backbone', 'tiny-ae');
process.stdout.write(JSON.stringify({ counts: built.counts, backend: run.backend, rows, tinyAe: tinyAe.summary }) + '\\n');
`;

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** Packs, installs and runs the check; returns its JSON result. */
export function packCheck({ keep = false, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'd2ue-pack-'));
  try {
    log('building (tsc -b)');
    run('npx', ['tsc', '-b'], repo);

    const tarballs = join(scratch, 'tarballs');
    mkdirSync(tarballs);
    const files = [];
    for (const folder of PACKED) {
      const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tarballs], join(repo, folder)));
      files.push(join(tarballs, packed.filename));
      log(`packed ${packed.name}@${packed.version}: ${packed.entryCount} files`);
    }

    // --ignore-scripts: tfjs-node(-gpu), optional, would download libtensorflow; d2ue runs without them.
    const app = join(scratch, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'd2ue-pack-check', private: true, type: 'module' }, null, 2)}\n`);
    log('installing the tarballs and @tensorflow/tfjs-core@4.22.0');
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', ...files, '@tensorflow/tfjs-core@4.22.0'], app);

    writeFileSync(join(app, 'check.mjs'), CHECK);
    log('training and scoring a tiny ensemble with the installed packages');
    const output = run('node', ['check.mjs'], app).trim().split('\n');
    const result = JSON.parse(output[output.length - 1]);

    const schema = JSON.parse(run(join(app, 'node_modules', '.bin', 'd2ue'), ['schema', '--no-plugins'], app));
    return { ...result, schemaTitle: schema.title, installed: JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).dependencies };
  } finally {
    if (keep) log(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = packCheck({ keep: process.argv.includes('--keep') });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
