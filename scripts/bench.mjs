#!/usr/bin/env node
/**
 * `npm run bench` (after `tsc -b`): training and scoring speed of d2ue per available tfjs backend, against PyTorch
 * on the same machine in the same run.
 *
 * Per backend (each in its own child process, so registered kernels and memory figures stay separate):
 *   - ms per training step (forward, loss, backward, Adam) of AE, MemAE and AE-U at width 1, 64×64, batch 64 and
 *     16: median of --steps steps after --warmup steps. The `cpu` backend (pure JavaScript, ~2 min per step) runs a
 *     single AE step at batch 64 only, and only with --cpu.
 *   - DSU scoring with 3 members in images/s, the median of 3 passes after one warm-up batch: batched (batch 64,
 *     @d2ue/uncertainty's DsuScorer), one image at a time (the official code's loop), and the members' dual-space maps on the main thread against one member per
 *     worker thread (packages/core/src/parallel; pool start-up and a warm-up call not counted);
 *   - peak RSS of the child.
 * PyTorch: runs `/usr/bin/python3 scripts/bench_torch.py` with 1 and 2 threads when that file exists and torch
 * imports, and otherwise prints that it was skipped. Ratios are d2ue / PyTorch's faster thread setting (lower is better for
 * ms, higher for images/s).
 *
 * Usage: npm run bench -- [--steps 5] [--warmup 2] [--backbones AE,MemAE,AE-U] [--batches 64,16] [--cpu]
 *                         [--images 64] [--no-torch]
 * NOTE: on a shared machine the figures move by tens of percent between runs; compare within one run.
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    steps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    backbones: { type: 'string', default: 'AE,MemAE,AE-U' },
    batches: { type: 'string', default: '64,16' },
    images: { type: 'string', default: '64' },
    cpu: { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});
/** Timed passes over the DSU images per batch size, after one warm-up batch (the median is reported). */
const DSU_PASSES = 3;
const steps = Number(opts.steps);
const warmup = Number(opts.warmup);
const images = Number(opts.images);
const backbones = opts.backbones.split(',');
const batches = opts.batches.split(',').map(Number);

if (opts.child != null) {
  process.send(await runChild(opts.child));
  process.exit(0);
} else {
  await runParent();
}

async function runParent() {
  const core = await import('../packages/core/dist/index.js');
  const probes = await core.probeBackends({ steps: 1 });
  const available = probes.filter((p) => p.available && (p.backend !== 'cpu' || opts.cpu)).map((p) => p.backend);
  console.log(`d2ue bench: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log(`backends that load: ${probes.filter((p) => p.available).map((p) => p.backend).join(', ')}; benched: ${available.join(', ')}`);
  for (const p of probes.filter((p) => !p.available)) console.log(`  ${p.backend}: not benched (${p.error?.split(' (')[0]})`);

  const rows = [];
  for (const backend of available) {
    rows.push(await new Promise((resolve, reject) => {
      const args = ['--child', backend, '--steps', String(steps), '--warmup', String(warmup), '--backbones', opts.backbones, '--batches', opts.batches, '--images', String(images)];
      const child = fork(fileURLToPath(import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', resolve);
      child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`bench child for ${backend} exited with ${code}`))));
    }));
  }

  const torch = opts['no-torch'] ? [] : runTorch();
  printTable(rows, torch);

  // The Med-AD loader's decode cache, in its own process so its memory does not mix with the training figures.
  fork(fileURLToPath(new URL('./bench-loader.mjs', import.meta.url)), [], { stdio: 'inherit' });
}

/** Runs the PyTorch reference with 1 and 2 threads, or explains why not. */
function runTorch() {
  const script = fileURLToPath(new URL('bench_torch.py', import.meta.url));
  const python = '/usr/bin/python3';
  if (!existsSync(script) || !existsSync(python)) {
    console.log('PyTorch: skipped (scripts/bench_torch.py or /usr/bin/python3 missing)');
    return [];
  }
  try {
    execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
  } catch {
    console.log('PyTorch: skipped (torch does not import under /usr/bin/python3; Debian: apt-get install python3-torch)');
    return [];
  }
  return [1, 2].map((threads) => {
    const args = [script, '--threads', String(threads), '--steps', String(steps), '--warmup', String(warmup), '--backbones', opts.backbones, '--batches', opts.batches, '--images', String(images)];
    return JSON.parse(execFileSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split('\n').pop());
  });
}

function printTable(rows, torch) {
  const keys = backbones.flatMap((b) => batches.map((n) => `${b}@${n}`));
  const fmt = (v, digits = 0) => (v === undefined ? '-' : v.toFixed(digits));
  const head = ['', ...rows.map((r) => r.backend), ...torch.map((t) => `torch ${t.threads}t`), 'ratio*'];
  const lines = [head];
  for (const key of keys) {
    const best = Math.min(...torch.map((t) => t.msPerStep[key] ?? Infinity));
    const wasm = rows.find((r) => r.backend === 'wasm')?.msPerStep[key];
    lines.push([`ms/step ${key}`, ...rows.map((r) => fmt(r.msPerStep[key])), ...torch.map((t) => fmt(t.msPerStep[key])), wasm && Number.isFinite(best) ? fmt(wasm / best, 2) : '-']);
  }
  const torchBatch1 = Math.max(...torch.map((t) => t.dsuImagesPerSecond.batch1));
  for (const [label, key] of [['DSU img/s batch 64', 'batch64'], ['DSU img/s batch 1', 'batch1'], ['DSU maps img/s, main thread', 'sequentialMaps'], ['DSU maps img/s, workers', 'workers']]) {
    const wasm = rows.find((r) => r.backend === 'wasm')?.dsuImagesPerSecond[key];
    lines.push([label, ...rows.map((r) => fmt(r.dsuImagesPerSecond[key], 1)), ...torch.map((t) => fmt(t.dsuImagesPerSecond[key], 1)), wasm && Number.isFinite(torchBatch1) ? fmt(wasm / torchBatch1, 2) : '-']);
  }
  lines.push(['peak RSS MB', ...rows.map((r) => fmt(r.peakRssMb)), ...torch.map((t) => fmt(t.peakRssMb)), '']);
  const widths = head.map((_, i) => Math.max(...lines.map((l) => String(l[i]).length)));
  console.log('');
  for (const l of lines) console.log(l.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  '));
  console.log('* ratio: wasm / the faster PyTorch thread setting (ms/step: lower is better); DSU rows: wasm / PyTorch batch-1 loop (higher is better).');
  if (rows.some((r) => r.adamMs !== undefined)) {
    for (const r of rows) if (r.adamMs !== undefined) console.log(`${r.backend}: Adam update alone (AE, 4.5 M parameters) ${r.adamMs.toFixed(1)} ms`);
  }
  if (torch.length > 0) console.log(`PyTorch ${torch[0].torch}; steps: median of ${steps} after ${warmup} warm-up; DSU over ${images} images, 3 members.`);
}

/** Measures one backend: training steps, scoring, peak RSS. */
async function runChild(backend) {
  const tf = await import('@tensorflow/tfjs-core');
  const core = await import('../packages/core/dist/index.js');
  const { aeBackbone, memAeBackbone, aeUBackbone } = await import('../packages/backbones/dist/index.js');
  const { DsuScorer, dualSpaceMap } = await import('../packages/uncertainty/dist/index.js');
  await core.selectBackend(backend);
  const descriptors = { AE: aeBackbone, MemAE: memAeBackbone, 'AE-U': aeUBackbone };
  const options = (d) => d.options.parse({ widthMultiplier: 1, imageSize: 64 });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  const msPerStep = {};
  let adamMs;
  for (const name of backbones) {
    for (const batch of batches) {
      if (backend === 'cpu' && (name !== 'AE' || batch !== 64)) continue;
      const model = descriptors[name].create(options(descriptors[name]), { seed: `bench/${name}` });
      const optimizer = tf.train.adam(name === 'AE-U' ? 1e-3 : 5e-4, 0.5, 0.999, 1e-8);
      const x = tf.randomUniform([batch, 64, 64, 1], -1, 1, 'float32', 1);
      const step = async () => {
        const loss = optimizer.minimize(() => model.loss(x, model.apply(x, { training: true })), true, model.trainableVariables());
        await loss.data();
        loss.dispose();
      };
      const [w, n] = backend === 'cpu' ? [0, 1] : [warmup, steps];
      for (let i = 0; i < w; i++) await step();
      const times = [];
      for (let i = 0; i < n; i++) {
        const start = performance.now();
        await step();
        times.push(performance.now() - start);
      }
      msPerStep[`${name}@${batch}`] = median(times);

      if (name === 'AE' && batch === 64 && backend !== 'cpu') {
        // The Adam update alone, with fixed gradients: what fusing its element-wise ops could save at most.
        const grads = tf.tidy(() => Object.fromEntries(model.trainableVariables().map((v) => [v.name, tf.onesLike(v)])));
        const t = [];
        for (let i = 0; i < 3; i++) {
          const start = performance.now();
          optimizer.applyGradients(grads);
          await model.trainableVariables()[0].data();
          t.push(performance.now() - start);
        }
        adamMs = median(t);
        tf.dispose(Object.values(grads));
      }
      optimizer.dispose();
      model.dispose();
      x.dispose();
    }
  }

  const dsuImagesPerSecond = {};
  if (backend !== 'cpu') {
    const members = [0, 1, 2].map((i) => aeBackbone.create(options(aeBackbone), { seed: `bench/member${i}` }));
    const all = tf.randomUniform([images, 64, 64, 1], -1, 1, 'float32', 2);
    const scorer = new DsuScorer();
    const scoreBatch = async (i, batch) => {
      const result = tf.tidy(() => scorer.score(members, tf.slice(all, [i, 0, 0, 0], [Math.min(batch, images - i), 64, 64, 1])));
      await result.imageScores.data();
      tf.dispose(result.imageScores);
    };
    for (const [key, batch] of [['batch64', 64], ['batch1', 1]]) {
      // One batch warms the inference-mode kernels up; then the median of DSU_PASSES passes over all images.
      await scoreBatch(0, batch);
      const rates = [];
      for (let pass = 0; pass < DSU_PASSES; pass++) {
        const start = performance.now();
        for (let i = 0; i < images; i += batch) await scoreBatch(i, batch);
        rates.push(images / ((performance.now() - start) / 1000));
      }
      dsuImagesPerSecond[key] = median(rates);
    }
    // The same maps with one member per worker thread (up to the core count). Pool start-up is not timed. The std
    // over members is left out on both sides, because it is negligible next to the maps.
    const pool = await core.WorkerPool.start({ size: Math.min(cpus().length, 3), backend, plugins: ['@d2ue/backbones'], seed: 'bench' });
    const map = { module: '@d2ue/uncertainty', exportName: 'dualSpaceMap' };
    // The first call warms each worker's kernels up (as the main thread's runs above did); the second is timed.
    for (const timed of [false, true]) {
      const poolStart = performance.now();
      const outputs = await core.mapMembersInWorkers(pool, members, all, { batchSize: 64, map });
      if (timed) dsuImagesPerSecond.workers = images / ((performance.now() - poolStart) / 1000);
      tf.dispose(outputs.flatMap((o) => Object.values(o.outputs)));
    }
    await pool.close();
    const start = performance.now();
    for (let i = 0; i < images; i += 64) {
      tf.tidy(() => {
        const batch = tf.slice(all, [i, 0, 0, 0], [Math.min(64, images - i), 64, 64, 1]);
        members.forEach((m) => dualSpaceMap(m, batch).map.dataSync());
      });
    }
    dsuImagesPerSecond.sequentialMaps = images / ((performance.now() - start) / 1000);
    members.forEach((m) => m.dispose());
    all.dispose();
  }
  return { backend, msPerStep, adamMs, dsuImagesPerSecond, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}
