import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import {
  ABLATION_TABLE_FILES,
  cellFile,
  evaluateRun,
  planAblation,
  readManifest,
  runAblation,
  trainRun,
  writeManifest,
  type AblationOutcome,
  type AblationRunOptions,
} from '@d2ue/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { installAblate } from '../packages/core/src/cli/commands/ablate.js';
import { scratchDir } from './helpers/tiny.js';

// The tiny profile (test/helpers/tiny.ts) cut to 1 epoch over 32 training images so that a grid of 4 ensembles
// stays fast on the cpu backend.
const BASE = `
backbone: { name: AE, imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 }
repulsion: { name: rar, weight: 1, tap: 4 }
ensemble: { size: 3 }
training: { epochs: 1, batchSize: 16, seed: 8 }
data: { builder: mnist, normalClass: 0, train: 32, testNormal: 16, testAbnormal: 16 }
scorers: [reconstruction, output]
backend: cpu
`;

/** runAblation with trainRun and evaluateRun wrapped to count their calls. */
async function counted(
  request: Parameters<typeof planAblation>[0],
  out: string,
  date: string,
): Promise<AblationOutcome & { trainCalls: number; evaluateCalls: number }> {
  let trainCalls = 0;
  let evaluateCalls = 0;
  const options: AblationRunOptions = {
    out,
    train: (config, trainOptions) => {
      trainCalls++;
      return trainRun(config, trainOptions);
    },
    evaluate: (runDir, evaluateOptions) => {
      evaluateCalls++;
      return evaluateRun(runDir, evaluateOptions);
    },
    now: () => new Date(date),
  };
  const outcome = await runAblation(planAblation(request), options);
  return { ...outcome, trainCalls, evaluateCalls };
}

/** Reads the four table files without their date line. */
function tablesWithoutDate(out: string): string[] {
  return Object.values(ABLATION_TABLE_FILES).map((name) =>
    readFileSync(join(out, name), 'utf8')
      .split('\n')
      .filter((line) => !/date/i.test(line))
      .join('\n'),
  );
}

function mtimes(out: string): Map<string, number> {
  const times = new Map<string, number>();
  for (const run of readdirSync(join(out, 'runs'))) times.set(run, statSync(join(out, 'runs', run, 'manifest.json')).mtimeMs);
  for (const cell of readdirSync(join(out, 'cells'))) times.set(cell, statSync(join(out, 'cells', cell)).mtimeMs);
  return times;
}

describe('runAblation', () => {
  let file: string;
  let out: string;
  let first: Awaited<ReturnType<typeof counted>>;
  const grid = (): Parameters<typeof planAblation>[0] => ({ file, vary: ['backbone.name=AE', 'repulsion.name=none,rar'], seeds: [1, 2] });

  beforeAll(async () => {
    process.env.D2UE_CACHE = scratchDir('cache');
    const dir = scratchDir('ablation');
    file = join(dir, 'base.yaml');
    writeFileSync(file, BASE);
    out = join(dir, 'out');
    first = await counted(grid(), out, '2030-01-01T00:00:00.000Z');
  });

  afterAll(() => {
    vi.restoreAllMocks();
  });

  it('trains one ensemble per setting', () => {
    expect(first.trainCalls).toBe(4);
    expect(first.trainings).toBe(4);
    expect(readdirSync(join(out, 'runs')).sort()).toHaveLength(4);
    for (const run of readdirSync(join(out, 'runs'))) {
      expect(run).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(readManifest(join(out, 'runs', run)).members).toHaveLength(3);
    }
    expect(first.failures).toEqual([]);
    for (const name of Object.values(ABLATION_TABLE_FILES)) expect(readFileSync(join(out, name), 'utf8')).toContain('rar');
  });

  it('averages the runs over seeds', () => {
    // Independent of the table code: the AUROC evaluateRun wrote into each run's scores file.
    const aurocs = new Map<string, number[]>();
    for (const run of readdirSync(join(out, 'runs'))) {
      const manifest = readManifest(join(out, 'runs', run));
      const repulsion = (manifest.config.repulsion as { name: string }).name;
      const scores = JSON.parse(readFileSync(join(out, 'runs', run, 'scores', 'reconstruction.k3.json'), 'utf8')) as { auroc: number };
      aurocs.set(repulsion, [...(aurocs.get(repulsion) ?? []), scores.auroc]);
    }

    expect(first.table.axes).toEqual(['backbone.name', 'repulsion.name']);
    for (const [index, repulsion] of ['none', 'rar'].entries()) {
      const values = aurocs.get(repulsion)!;
      const mean = (values[0]! + values[1]!) / 2;
      const cell = first.table.rows[index]!.cells[0]!;
      expect(first.table.rows[index]!.settings).toEqual(['AE', repulsion]);
      expect(cell).toMatchObject({ status: 'ok', n: 2 });
      expect(cell.mean).toBeCloseTo(mean, 12);
      expect(cell.std).toBeCloseTo(Math.abs(values[0]! - values[1]!) / Math.SQRT2, 12);
    }
    const markdown = readFileSync(join(out, ABLATION_TABLE_FILES.markdown), 'utf8');
    expect(markdown).toMatch(/^\| backbone\.name \| repulsion\.name \| reconstruction AUROC \| reconstruction AP \| output AUROC \| output AP \|$/m);
    expect(markdown).toMatch(/^\| AE \| rar \| .*\*\*\d\.\d{3} ± \d\.\d{3} \(2\)\*\*/m);
    expect(markdown).toMatch(/^Backend: cpu\. Versions: .*@d2ue\/core \d/m);
  });

  it('reruns without training', async () => {
    const before = tablesWithoutDate(out);
    const times = mtimes(out);

    const again = await counted(grid(), out, '2031-06-01T00:00:00.000Z');

    expect(again.trainCalls).toBe(0);
    expect(again.evaluateCalls).toBe(0);
    expect(tablesWithoutDate(out)).toEqual(before);
    expect(mtimes(out)).toEqual(times);
    expect(readFileSync(join(out, ABLATION_TABLE_FILES.markdown), 'utf8')).toContain('Date: 2031-06-01T00:00:00.000Z');
  });

  it('reuses members for smaller ensembles', async () => {
    const sizes = await counted({ file, vary: ['ensemble.size=1,2,3'], seeds: [1, 2] }, out, '2030-01-01T00:00:00.000Z');

    expect(sizes.trainCalls).toBe(0);
    expect(sizes.failures).toEqual([]);
    const [one, two, three] = sizes.table.rows;
    expect(one!.cells.map((cell) => cell.status)).toEqual(['ok', 'ok', 'n/a', 'n/a']);
    expect(sizes.table.notes[one!.cells[2]!.note! - 1]).toMatch(/needs at least 2 members.*the ensemble has 1/);
    expect(two!.cells.map((cell) => cell.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    // Size 3 is the K = 3 run of the rar rows above: the same cells, reused.
    expect(three!.cells).toEqual(first.table.rows[1]!.cells.map((cell, i) => ({ ...cell, best: three!.cells[i]!.best })));
    expect(readFileSync(join(out, ABLATION_TABLE_FILES.markdown), 'utf8')).toMatch(/^\| 1 \| .* \| n\/a \[1\] \| n\/a \[1\] \|$/m);
  });

  it('marks a throwing plug-in failed', async () => {
    const failing = await counted({ file, vary: ['repulsion.name=rar,nope', 'scorers=reconstruction,nosuch'], seeds: [1, 2] }, out, '2030-01-01T00:00:00.000Z');

    expect(failing.trainCalls).toBe(0);
    const [rar, nope] = failing.table.rows;
    expect(rar!.cells.map((cell) => cell.status)).toEqual(['ok', 'ok', 'failed', 'failed']);
    expect(rar!.cells[0]).toEqual(expect.objectContaining({ mean: first.table.rows[1]!.cells[0]!.mean, n: 2 }));
    expect(nope!.cells.map((cell) => cell.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(failing.table.notes).toEqual([
      expect.stringMatching(/^scorers\.1: no scorer plug-in named "nosuch"/),
      expect.stringMatching(/^repulsion\.name: no repulsion plug-in named "nope"/),
    ]);
    expect(readFileSync(join(out, ABLATION_TABLE_FILES.latex), 'utf8')).toMatch(/^nope & failed \[2\] & failed \[2\] & failed \[2\] & failed \[2\] \\\\$/m);
  });

  it('exits non-zero on failures', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const args = ['node', 'd2ue', 'ablate', '--config', file, '--vary', 'repulsion.name=rar,nope', '--seeds', '1,2', '--out', out, '--quiet'];
    const program = (): Command => {
      const command = new Command('d2ue').exitOverride();
      installAblate(command);
      return command;
    };

    await expect(program().parseAsync(args)).rejects.toThrow(
      /4 scorer result\(s\) in 2 cell\(s\) failed; the tables show them as "failed" with the reason\. .*pass --continue-on-error to accept them\./,
    );
    await expect(program().parseAsync([...args, '--continue-on-error'])).resolves.toBeDefined();
    expect(write).toHaveBeenCalledWith(expect.stringMatching(/^\| repulsion\.name \| reconstruction AUROC/));
    write.mockRestore();
  });

  it('finishes only missing cells', async () => {
    // A kill during training: the rar, seed 2 run lists 2 of its 3 members and its cell has no results.
    const runs = readdirSync(join(out, 'runs'));
    const killed = runs.find((run) => {
      const manifest = readManifest(join(out, 'runs', run));
      return (manifest.config.repulsion as { name: string }).name === 'rar' && (manifest.config.training as { seed: number }).seed === 2;
    })!;
    const manifest = readManifest(join(out, 'runs', killed));
    writeManifest(join(out, 'runs', killed), { ...manifest, members: manifest.members.slice(0, 2) });
    rmSync(cellFile(out, killed, 3));
    // A kill during evaluation: a finished run whose cell record was never written.
    const crashed = runs.find((run) => run !== killed)!;
    rmSync(cellFile(out, crashed, 3));
    const tensors = tf.memory().numTensors;

    const rerun = await counted(grid(), out, '2030-01-01T00:00:00.000Z');

    expect(rerun.trainCalls).toBe(1);
    expect(rerun.evaluateCalls).toBe(4);
    expect(readManifest(join(out, 'runs', killed)).members).toHaveLength(3);
    expect(rerun.table.rows.flatMap((row) => row.cells.map((cell) => [cell.status, cell.n]))).toEqual(Array(8).fill(['ok', 2]));
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
