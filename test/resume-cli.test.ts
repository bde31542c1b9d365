import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CheckpointSchema, evaluateRun, readManifest, type ScorerOutcome } from '@d2ue/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { scratchDir } from './helpers/tiny.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/core/dist/cli/main.js');

// The tiny profile, cut to 64 training images (4 steps per epoch) so three runs fit the CI budget.
const TINY = ['--config', 'configs/tiny.yaml', '--set', 'data.train=64', '--set', 'data.testNormal=16', '--set', 'data.testAbnormal=16'];

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `d2ue ARGS` from the built dist with piped output. `watch` receives the stderr so far after each chunk and
 * may signal the child.
 */
function runCli(args: readonly string[], watch?: (stderr: string, child: ChildProcess) => void): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      watch?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Builds the packages so the CLI runs the current sources. Other packages' type errors do not stop tsc -b from
 * emitting, so success is judged by the freshness of the files this test exercises.
 */
function ensureBuilt(): void {
  const build = spawnSync('npx', ['tsc', '-b'], { cwd: root, encoding: 'utf8', timeout: 600_000 });
  const watched = ['cli/commands/train.ts', 'training/member.ts', 'training/stop.ts', 'run/checkpoint.ts', 'run/resume.ts', 'app/train-run.ts'];
  const stale = watched.filter((file) => {
    const built = join(root, 'packages/core/dist', file.replace(/\.ts$/, '.js'));
    return !existsSync(built) || statSync(built).mtimeMs < statSync(join(root, 'packages/core/src', file)).mtimeMs;
  });
  if (stale.length > 0) {
    throw new Error(`npx tsc -b (exit ${build.status}) left packages/core/dist stale for ${stale.join(', ')}:\n${build.stdout}${build.stderr}`);
  }
}

function scoresOf(outcomes: readonly ScorerOutcome[]): unknown[] {
  return outcomes.map((outcome) => (outcome.status === 'ok' ? [outcome.scorer, outcome.scores] : [outcome.scorer, 'n/a']));
}

function file(runDir: string, ...path: string[]): Buffer {
  return readFileSync(join(runDir, ...path));
}

describe('d2ue train --resume', () => {
  let reference: string;
  let referenceLog: string;

  beforeAll(async () => {
    ensureBuilt();
    process.env.D2UE_CACHE ??= scratchDir('cache');
    reference = join(scratchDir('cli'), 'reference');
    const run = await runCli(['train', ...TINY, '--out', reference]);
    expect(run.code, run.stderr).toBe(0);
    referenceLog = run.stderr;
  }, 900_000);

  it('resumes after kill -9 exactly', async () => {
    const out = join(scratchDir('cli'), 'killed');

    // Killed once member 1 has reported its first epoch, i.e. after that epoch's checkpoint was written.
    const killed = await runCli(['train', ...TINY, '--out', out], (stderr, child) => {
      if (/member 1 {2}epoch 1\/2/.test(stderr) && child.exitCode === null) child.kill('SIGKILL');
    });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(readManifest(out).members.map((member) => member.index)).toEqual([0]);
    expect(CheckpointSchema.parse(JSON.parse(file(out, 'members', '1', 'checkpoint.json').toString())).epoch).toBeGreaterThanOrEqual(1);
    const weights0 = file(out, 'members', '0', 'weights.safetensors');
    const metrics0 = file(out, 'members', '0', 'metrics.jsonl');

    const resumed = await runCli(['train', '--resume', out]);

    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/member 1: resuming at epoch 2 from .*members\/1\/checkpoint\.json/);
    expect(resumed.stderr).not.toMatch(/member 0 \(|member 0 {2}epoch/);
    expect(file(out, 'members', '0', 'weights.safetensors').equals(weights0)).toBe(true);
    expect(file(out, 'members', '0', 'metrics.jsonl').equals(metrics0)).toBe(true);
    for (const member of ['0', '1', '2']) {
      expect(file(out, 'members', member, 'weights.safetensors').equals(file(reference, 'members', member, 'weights.safetensors')), `member ${member}`).toBe(true);
    }
    expect(scoresOf((await evaluateRun(out)).outcomes)).toEqual(scoresOf((await evaluateRun(reference)).outcomes));
  }, 900_000);

  it('stops cleanly on SIGTERM', async () => {
    const out = join(scratchDir('cli'), 'terminated');
    let sent = false;

    const stopped = await runCli(['train', ...TINY, '--out', out], (stderr, child) => {
      if (!sent && /member 1 {2}epoch 1\/2/.test(stderr)) {
        sent = true;
        child.kill('SIGTERM');
      }
    });

    expect(stopped.code, stopped.stderr).toBe(1);
    expect(stopped.stderr).toMatch(/SIGTERM: finishing the current step, then saving a checkpoint/);
    expect(stopped.stderr).toMatch(
      /d2ue: Stopped by SIGTERM: member 1 stopped at epoch 2, step [0-3] of 4; .*members\/1\/checkpoint\.json holds that point\. Continue with: d2ue train --resume .*terminated\n/,
    );

    const resumed = await runCli(['train', '--resume', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const member of ['0', '1', '2']) {
      expect(file(out, 'members', member, 'weights.safetensors').equals(file(reference, 'members', member, 'weights.safetensors')), `member ${member}`).toBe(true);
    }
  }, 900_000);

  it('prints plain lines when piped', () => {
    // No bar redraws (ANSI escapes) in a pipe; one line per epoch with the ETAs instead.
    expect(referenceLog).not.toContain('\u001b[');
    const epochLines = referenceLog.split('\n').filter((line) => /^ {2}member \d {2}epoch \d\/2 {2}loss /.test(line));
    expect(epochLines).toHaveLength(6);
    expect(epochLines.at(-1)).toMatch(/ETA member 0s, run 0s$/);
  });

  it('resumes a finished run idle', async () => {
    const resumed = await runCli(['train', '--resume', reference]);

    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/all 3 members were already trained; nothing to resume/);
    expect(resumed.stdout.trim()).toBe(reference);
  });

  it('refuses a used folder', async () => {
    const again = await runCli(['train', ...TINY, '--out', reference]);

    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/reference is not empty; choose another --out folder, or pass --overwrite to replace it, or continue the run it holds with "d2ue train --resume /);
  });
});
