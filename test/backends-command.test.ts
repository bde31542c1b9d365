import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { defaultBackend, probeBackends, type BackendProbe } from '@d2ue/core';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';

import { formatBackends, installBackends } from '../packages/core/src/cli/commands/backends.js';

const PROBES: BackendProbe[] = [
  { backend: 'gpu', available: false, error: 'The gpu backend needs @tensorflow/tfjs-node-gpu, which is not installed (x).' },
  { backend: 'node', available: false, error: 'The node backend (@tensorflow/tfjs-node) failed to load (y).' },
  { backend: 'wasm', available: true, msPerStep: 3.25 },
  { backend: 'cpu', available: true, msPerStep: 312 },
];

describe('d2ue backends', () => {
  it('formats the probe table', () => {
    const text = formatBackends(PROBES, defaultBackend(PROBES), undefined);

    expect(text).toMatch(/^gpu +no +- +not installed: npm install @tensorflow\/tfjs-node-gpu@4\.22\.0 \(needs .*CUDA 11\.2 and cuDNN 8\.1/m);
    expect(text).toMatch(/^node +no +- +does not load: npm install @tensorflow\/tfjs-node@4\.22\.0; run with --backend node for details$/m);
    expect(text).toMatch(/^wasm +yes +3\.3 +default \(auto\); d2ue kernels: Conv2DBackpropFilter, BatchMatMul, Conv2DBackpropInput, Sum, Mean, SplitV, Concat, Identity, Cast$/m);
    expect(text).toMatch(/^cpu +yes +312\.0 +$/m);
    expectTypeOf(formatBackends).returns.toEqualTypeOf<string>();
  });

  it('names the D2UE_BACKEND override', () => {
    expect(formatBackends(PROBES, 'wasm', 'cpu')).toMatch(/D2UE_BACKEND=cpu overrides it\.$/);
    expect(defaultBackend(PROBES.slice(0, 2))).toBeUndefined();
  });

  it('probes wasm and cpu here', async () => {
    const probes = await probeBackends({ steps: 1, backends: ['wasm', 'cpu'] });

    expect(probes.map((p) => [p.backend, p.available])).toEqual([
      ['wasm', true],
      ['cpu', true],
    ]);
    probes.forEach((p) => expect(p.msPerStep).toBeGreaterThan(0));
  });

  it('prints through commander', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const program = new Command('d2ue').exitOverride();
      installBackends(program);
      await program.parseAsync(['node', 'd2ue', 'backends', '--steps', '1']);

      const printed = write.mock.calls.map((call) => String(call[0])).join('');
      expect(printed).toMatch(/^backend {2}loads {2}ms\/step\*/);
      expect(printed).toMatch(/^wasm {5}yes .*default \(auto\)/m);
      expect(tf.getBackend()).toBe('wasm');
    } finally {
      write.mockRestore();
    }
  });

  it('leaks no tensors', async () => {
    await probeBackends({ steps: 1, backends: ['wasm'] });
    const before = tf.memory().numTensors;

    await probeBackends({ steps: 1, backends: ['wasm'] });

    expect(tf.memory().numTensors).toBe(before);
  });
});
