#!/usr/bin/env node
/**
 * Times one AE training step (forward, MSE, backward, Adam) on the tfjs `wasm` backend, with each subset of the
 * d2ue wasm training kernels (packages/core/src/backend/wasm/), and the Conv2DBackpropInput kernel against the
 * stock one per decoder layer.
 *
 * Usage (after `npx tsc -b packages/core`, which builds the kernels into packages/core/dist):
 *   node scripts/bench-wasm-step.mjs [--batch 64] [--steps 5] [--warmup 2] [--profile]
 *
 * The AE is the D2UE reference AE at width multiplier 1 on 64×64 inputs: 4 × [Conv 4×4 s2 p1, no bias →
 * BN → ReLU] with 16, 32, 64, 64 channels; Linear 1024→2048 → BN → ReLU → Linear →16 → Linear →2048 → BN → ReLU
 * → Linear →1024; 4 transposed convs mirroring the encoder, the last without BN/ReLU. BatchNorm is arithmetic over
 * tf.moments, because the gradient of tf.batchNorm builds full-size Tiles.
 * NOTE: running statistics are not updated, and weights are seeded uniform values, not PyTorch's initialisation;
 * neither changes the time of a step.
 *
 * Each configuration runs in its own child process, because registered kernels stay registered.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CONFIGS = {
  // Stock wasm 4.22 cannot train a conv net at all (no Conv2DBackpropFilter), so the baseline adds only that.
  'filter only': ['Conv2DBackpropFilter'],
  'filter + matmul': ['Conv2DBackpropFilter', 'BatchMatMul'],
  'all (filter + matmul + input)': ['Conv2DBackpropFilter', 'BatchMatMul', 'Conv2DBackpropInput'],
};

const { values: options } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});
const batch = Number(options.batch);
const steps = Number(options.steps);
const warmup = Number(options.warmup);

if (options.child != null) {
  await runChild(options.child);
} else {
  await runParent();
}

/** Forks one child per configuration and prints a table. */
async function runParent() {
  console.log(`AE training step on wasm, batch ${batch}, median of ${steps} steps after ${warmup} warm-up steps`);
  const rows = [];
  for (const name of [...Object.keys(CONFIGS), 'input kernel per layer']) {
    const result = await new Promise((resolve, reject) => {
      const args = ['--child', name, '--batch', String(batch), '--steps', String(steps), '--warmup', String(warmup)];
      if (options.profile) args.push('--profile');
      const child = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', resolve);
      child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`${name}: child exited with ${code}`))));
    });
    rows.push([name, result]);
  }

  for (const [name, result] of rows) {
    if (name === 'input kernel per layer') {
      console.log('\nConv2DBackpropInput per call (ms, median): shape | stock | phase decomposition');
      for (const layer of result) {
        console.log(`  ${layer.label.padEnd(40)} ${layer.stock.toFixed(1).padStart(8)} ${layer.phase.toFixed(1).padStart(8)}`);
      }
    } else {
      console.log(`${name.padEnd(32)} ${result.median.toFixed(0).padStart(6)} ms/step (min ${result.min.toFixed(0)})`);
      if (result.profile != null) {
        for (const [kernel, ms] of result.profile) console.log(`    ${kernel.padEnd(28)} ${ms.toFixed(1)} ms`);
      }
    }
  }
}

/** Loads tfjs, the wasm backend and the chosen kernels, then runs the measurement named `name`. */
async function runChild(name) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs'); // registers the gradient functions on the shared tfjs-core
  await import('@tensorflow/tfjs-backend-wasm');
  const kernels = new URL('../packages/core/dist/backend/wasm/', import.meta.url);
  const { overrideWasmKernel } = await import(new URL('kernel-utils.js', kernels).href);
  const { conv2DBackpropFilterWasm } = await import(new URL('conv2d-backprop-filter.js', kernels).href);
  const { makeBatchMatMulWasm } = await import(new URL('batch-mat-mul.js', kernels).href);
  const { makeConv2DBackpropInputWasm } = await import(new URL('conv2d-backprop-input.js', kernels).href);
  const factories = {
    Conv2DBackpropFilter: () => conv2DBackpropFilterWasm,
    BatchMatMul: makeBatchMatMulWasm,
    Conv2DBackpropInput: makeConv2DBackpropInputWasm,
  };

  const selected = CONFIGS[name] ?? ['Conv2DBackpropFilter', 'BatchMatMul'];
  for (const kernel of selected) overrideWasmKernel(kernel, factories[kernel]);
  if (!(await tf.setBackend('wasm'))) throw new Error('bench-wasm-step: the wasm backend failed to initialise');

  if (name === 'input kernel per layer') {
    process.send(benchInputKernel(tf, makeConv2DBackpropInputWasm));
  } else {
    process.send(await benchStep(tf));
  }
  process.exit(0);
}

/** Median and minimum ms per training step, and optionally the per-kernel profile of one step. */
async function benchStep(tf) {
  const model = buildAe(tf, 8);
  const optimizer = tf.train.adam(5e-4, 0.5, 0.999, 1e-8);
  const x = tf.randomUniform([batch, 64, 64, 1], -1, 1, 'float32', 1);
  const step = () => {
    const loss = optimizer.minimize(() => tf.mean(tf.squaredDifference(model.apply(x), x)), true, model.variables);
    loss.dataSync();
    loss.dispose();
  };

  for (let i = 0; i < warmup; i++) step();
  const times = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    step();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);

  let profile;
  if (options.profile) {
    const info = await tf.profile(step);
    const totals = new Map();
    for (const k of info.kernels) totals.set(k.name, (totals.get(k.name) ?? 0) + Number(await k.kernelTimeMs));
    profile = [...totals].sort((a, b) => b[1] - a[1]).slice(0, 12);
  }
  return { median: times[Math.floor(times.length / 2)], min: times[0], profile };
}

/** Builds the AE: its variables and a forward pass (training-mode BatchNorm over tf.moments). */
function buildAe(tf, seed) {
  const variables = [];
  let nextSeed = seed;
  const param = (shape, fanIn) => {
    const bound = 1 / Math.sqrt(fanIn);
    const v = tf.variable(tf.randomUniform(shape, -bound, bound, 'float32', nextSeed++));
    variables.push(v);
    return v;
  };
  const bn = (channels) => {
    const gamma = tf.variable(tf.ones([channels]));
    const beta = tf.variable(tf.zeros([channels]));
    variables.push(gamma, beta);
    return (h) => {
      const axes = h.rank === 4 ? [0, 1, 2] : [0];
      const { mean, variance } = tf.moments(h, axes);
      return tf.add(tf.mul(tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta);
    };
  };
  const pad1 = [[0, 0], [1, 1], [1, 1], [0, 0]];

  const enc = [[1, 16], [16, 32], [32, 64], [64, 64]].map(([cin, cout]) => ({ w: param([4, 4, cin, cout], cin * 16), bn: bn(cout) }));
  const fc1 = { w: param([1024, 2048], 1024), b: param([2048], 1024), bn: bn(2048) };
  const fc2 = { w: param([2048, 16], 2048), b: param([16], 2048) };
  const fc3 = { w: param([16, 2048], 16), b: param([2048], 16), bn: bn(2048) };
  const fc4 = { w: param([2048, 1024], 2048), b: param([1024], 2048) };
  // Transposed-conv filters are [kh, kw, out, in]; sizes 4→8→16→32→64.
  const dec = [[64, 64, 8], [64, 32, 16], [32, 16, 32], [16, 1, 64]].map(([cin, cout, size], i) => ({
    w: param([4, 4, cout, cin], cin * 16),
    size,
    cout,
    bn: i < 3 ? bn(cout) : null,
  }));
  const decBias = param([1], 16 * 16);

  const apply = (x) => {
    let h = x;
    for (const block of enc) h = tf.relu(block.bn(tf.conv2d(h, block.w, 2, pad1)));
    h = tf.reshape(h, [batch, 1024]);
    h = tf.relu(fc1.bn(tf.add(tf.matMul(h, fc1.w), fc1.b)));
    const z = tf.add(tf.matMul(h, fc2.w), fc2.b);
    h = tf.relu(fc3.bn(tf.add(tf.matMul(z, fc3.w), fc3.b)));
    h = tf.reshape(tf.add(tf.matMul(h, fc4.w), fc4.b), [batch, 4, 4, 64]);
    for (const block of dec) {
      h = tf.conv2dTranspose(h, block.w, [batch, block.size, block.size, block.cout], 2, pad1);
      h = block.bn == null ? tf.add(h, decBias) : tf.relu(block.bn(h));
    }
    return h;
  };
  return { apply, variables };
}

/** Conv2DBackpropInput per AE layer: the stock wasm kernel against phase decomposition, ms per call. */
function benchInputKernel(tf, makeKernel) {
  const stock = tf.getKernel('Conv2DBackpropInput', 'wasm').kernelFunc;
  const phase = makeKernel(stock);
  const backend = tf.backend();
  const pad1 = [[0, 0], [1, 1], [1, 1], [0, 0]];
  const layers = [
    [[batch, 8, 8, 64], [4, 4, 64, 64]],
    [[batch, 16, 16, 32], [4, 4, 32, 64]],
    [[batch, 32, 32, 16], [4, 4, 16, 32]],
    [[batch, 64, 64, 1], [4, 4, 1, 16]],
  ];
  const timeIt = (kernel, inputs, attrs) => {
    const times = [];
    for (let i = 0; i < warmup + steps; i++) {
      const start = performance.now();
      const out = kernel({ inputs, backend, attrs });
      times.push(performance.now() - start);
      backend.disposeData(out.dataId);
    }
    return times.slice(warmup).sort((a, b) => a - b)[Math.floor(steps / 2)];
  };

  return layers.map(([inputShape, filterShape]) => {
    const dyShape = [batch, inputShape[1] / 2, inputShape[2] / 2, filterShape[3]];
    const dy = tf.randomUniform(dyShape, -1, 1, 'float32', 3);
    const filter = tf.randomUniform(filterShape, -1, 1, 'float32', 4);
    const attrs = { inputShape, strides: 2, pad: pad1, dataFormat: 'NHWC' };
    const result = {
      label: `dy ${dyShape.join('x')} → dx ${inputShape.join('x')}`,
      stock: timeIt(stock, { dy, filter }, attrs),
      phase: timeIt(phase, { dy, filter }, attrs),
    };
    tf.dispose([dy, filter]);
    return result;
  });
}
