import type { Command } from 'commander';

import { GPU_REQUIREMENTS, installCommand } from '../../backend/native.js';
import { defaultBackend, probeBackends, type BackendProbe } from '../../backend/probe.js';
import { AUTO_ORDER, selectBackend, type ConcreteBackend } from '../../backend/select.js';
import { WASM_TRAINING_KERNELS } from '../../backend/wasm/index.js';

/**
 * `d2ue backends`: lists which tfjs backends load here, which one `auto` picks, a speed figure for each (ms per
 * tiny conv training step) and the wasm kernels d2ue registered.
 *
 * @example
 * installBackends(program); // then: d2ue backends [--steps 5]
 */
export function installBackends(program: Command): void {
  program
    .command('backends')
    .description('list the tfjs backends that load here, the default one, and ms per tiny conv training step')
    .option('--steps <n>', 'timed steps per backend', (value: string) => Math.max(1, Number.parseInt(value, 10) || 5), 5)
    .action(async (options: { steps: number }) => {
      const probes = await probeBackends({ steps: options.steps });
      const chosen = defaultBackend(probes);
      if (chosen !== undefined) await selectBackend(chosen);
      process.stdout.write(`${formatBackends(probes, chosen, process.env.D2UE_BACKEND)}\n`);
    });
}

/** Returns one line on why a backend did not load. A run that requests it prints the full advice. */
function shortReason(probe: BackendProbe): string {
  if (probe.backend === 'node' || probe.backend === 'gpu') {
    const missing = /not installed/.test(probe.error ?? '') ? 'not installed' : 'does not load';
    const needs = probe.backend === 'gpu' ? ` (needs ${GPU_REQUIREMENTS})` : '';
    return `${missing}: ${installCommand(probe.backend)}${needs}; run with --backend ${probe.backend} for details`;
  }
  return probe.error ?? 'does not load';
}

/**
 * Formats the table that `d2ue backends` prints.
 *
 * @example
 * formatBackends([{ backend: 'cpu', available: true, msPerStep: 40 }], 'cpu', undefined);
 */
export function formatBackends(probes: readonly BackendProbe[], chosen: ConcreteBackend | undefined, envBackend: string | undefined): string {
  const lines = ['backend  loads  ms/step*  notes'];
  for (const probe of probes) {
    const notes: string[] = [];
    if (probe.backend === chosen) notes.push('default (auto)');
    if (probe.available && probe.backend === 'wasm') notes.push(`d2ue kernels: ${WASM_TRAINING_KERNELS.join(', ')}`);
    if (probe.backend === 'gpu' && probe.available) notes.push('untested by the d2ue test suite');
    if (!probe.available && probe.error) notes.push(shortReason(probe));
    const ms = probe.msPerStep === undefined ? '-' : probe.msPerStep.toFixed(1);
    lines.push(`${probe.backend.padEnd(8)} ${(probe.available ? 'yes' : 'no').padEnd(6)} ${ms.padStart(8)}  ${notes.join('; ')}`);
  }
  lines.push('* median of a tiny training step: 4×4 stride-2 conv (16 channels) and its transposed conv, batch 8, 32×32.');
  lines.push(`auto tries ${AUTO_ORDER.join(', ')} in that order${envBackend ? `; D2UE_BACKEND=${envBackend} overrides it` : ''}.`);
  return lines.join('\n');
}
