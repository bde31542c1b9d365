#!/usr/bin/env node
/**
 * Per-kernel profile of one training step of a d2ue backbone (after `npx tsc -b`): the step time, then the
 * kernels by total time, then the costliest kernel calls by output and input shapes.
 *
 * Usage: node scripts/profile-step.mjs [--backbone AE|MemAE|AE-U] [--backend wasm] [--batch 64] [--steps 5]
 *                                      [--top 16]
 * The step is the one `npm run bench` times: width 1, 64×64, the backbone's loss, Adam. The median is over
 * --steps steps after 2 warm-up steps. The profile is of one more step: `tf.profile` times each kernel call on the
 * main thread, and a kernel that runs others inside it is counted with them, so the total can exceed the step.
 */
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    backbone: { type: 'string', default: 'AE' },
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '5' },
    top: { type: 'string', default: '16' },
  },
});

for (const [name, pattern, what] of [
  ['batch', /^[1-9][0-9]*$/, 'a positive integer'],
  ['steps', /^[1-9][0-9]*$/, 'a positive integer'],
  ['top', /^[0-9]+$/, 'a whole number'],
]) {
  if (!pattern.test(opts[name])) {
    console.error(`--${name}: expected ${what}, got "${opts[name]}".`);
    process.exit(2);
  }
}

const tf = await import('@tensorflow/tfjs-core');
const core = await import('../packages/core/dist/index.js');
const { aeBackbone, memAeBackbone, aeUBackbone } = await import('../packages/backbones/dist/index.js');
const descriptors = { AE: aeBackbone, MemAE: memAeBackbone, 'AE-U': aeUBackbone };
const descriptor = descriptors[opts.backbone];
if (descriptor === undefined) {
  console.error(`--backbone: expected one of ${Object.keys(descriptors).join(', ')}, got "${opts.backbone}".`);
  process.exit(2);
}
try {
  await core.selectBackend(opts.backend);
} catch (error) {
  // selectBackend names the argument "backend"; here it came from the --backend flag.
  console.error(error.message.startsWith('backend: ') ? `--${error.message}` : error.message);
  process.exit(2);
}

const batch = Number(opts.batch);
const top = Number(opts.top);
const model = descriptor.create(descriptor.options.parse({ widthMultiplier: 1, imageSize: 64 }), { seed: 'profile' });
const optimizer = tf.train.adam(opts.backbone === 'AE-U' ? 1e-3 : 5e-4, 0.5, 0.999, 1e-8);
const x = tf.randomUniform([batch, 64, 64, 1], -1, 1, 'float32', 1);
const step = async () => {
  const loss = optimizer.minimize(() => model.loss(x, model.apply(x, { training: true })), true, model.trainableVariables());
  await loss.data();
  loss.dispose();
};

for (let i = 0; i < 2; i++) await step();
const times = [];
for (let i = 0; i < Number(opts.steps); i++) {
  const start = performance.now();
  await step();
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(`${opts.backbone} on ${tf.getBackend()}, batch ${batch}: median ${times[Math.floor(times.length / 2)].toFixed(0)} ms/step, min ${times[0].toFixed(0)}`);

const info = await tf.profile(step);
const total = (groups) => [...groups].sort((a, b) => b[1].ms - a[1].ms);
const group = (keyOf) => {
  const groups = new Map();
  for (const kernel of info.kernels) {
    const key = keyOf(kernel);
    const entry = groups.get(key) ?? { ms: 0, calls: 0 };
    entry.ms += kernel.kernelTimeMs;
    entry.calls += 1;
    groups.set(key, entry);
  }
  return groups;
};

const byKernel = group((k) => k.name);
const all = [...byKernel.values()].reduce((sum, e) => sum + e.ms, 0);
console.log(`\nkernel                      ms  calls   (all kernels ${all.toFixed(0)} ms)`);
for (const [name, e] of total(byKernel).slice(0, top)) console.log(`${name.padEnd(24)} ${e.ms.toFixed(1).padStart(7)} ${String(e.calls).padStart(6)}`);

const shapes = (list) => list.map((s) => `[${s}]`).join(' ');
const byCall = group((k) => `${k.name} ${shapes(k.outputShapes)} <- ${shapes(k.inputShapes)}`);
console.log('\n     ms  calls  kernel output <- inputs');
for (const [key, e] of total(byCall).slice(0, top)) console.log(`${e.ms.toFixed(1).padStart(7)} ${String(e.calls).padStart(6)}  ${key}`);

optimizer.dispose();
model.dispose();
x.dispose();
