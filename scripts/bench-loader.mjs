/**
 * Times the Med-AD loader's decode cache: loads a 2000-image folder (256×256 grey PNGs, resized to 64×64) twice,
 * the first time decoding every file, the second time reading the cache keyed by the files' content hashes.
 * Run after `npx tsc -b`: node scripts/bench-loader.mjs [--images 2000]; `npm run bench` runs it too.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

const { values: opts } = parseArgs({ options: { images: { type: 'string', default: '2000' } } });
const count = Number(opts.images);

const { MedAdLoader } = await import('../packages/datasets/dist/index.js');

const root = mkdtempSync(join(tmpdir(), 'd2ue-bench-loader-'));
mkdirSync(join(root, 'images'));

// Smooth seeded patterns: cheap to make, and PNG-compressed like real scans rather than like noise.
const side = 256;
const names = [];
for (let n = 0; n < count; n++) {
  const pixels = Buffer.alloc(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) pixels[y * side + x] = (128 + 100 * Math.sin((x + 3 * n) / 17) * Math.cos((y - n) / 23)) & 255;
  }
  const name = `img_${String(n).padStart(5, '0')}.png`;
  await sharp(pixels, { raw: { width: side, height: side, channels: 1 } }).png().toFile(join(root, 'images', name));
  names.push(name);
}
const half = Math.floor(count / 2);
const quarter = Math.floor(count / 4);
writeFileSync(
  join(root, 'data.json'),
  JSON.stringify({ train: { 0: names.slice(0, half) }, test: { 0: names.slice(half, half + quarter), 1: names.slice(half + quarter) } }),
);

const cacheRoot = join(root, 'cache');
const loader = new MedAdLoader({}, () => undefined, cacheRoot);
const time = async () => {
  const started = performance.now();
  await loader.load(root, { imageSize: 64 });
  return (performance.now() - started) / 1000;
};

const first = await time();
const second = await time();
console.log(`loader cache: ${count} PNGs 256×256 → 64×64: first load ${first.toFixed(2)} s (decode), second ${second.toFixed(2)} s (cache), ${(first / second).toFixed(1)}× faster`);
rmSync(root, { recursive: true, force: true });
