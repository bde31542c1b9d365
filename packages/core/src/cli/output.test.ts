import { Writable } from 'node:stream';

import { describe, expect, expectTypeOf, it } from 'vitest';

import type { EpochRecord } from '../training/progress.js';
import { formatDuration, trainingProgress, type TrainingProgress } from './output.js';

/** A stream that keeps what is written; `isTTY` makes cli-progress treat it as a terminal. */
class Capture extends Writable {
  text = '';
  columns = 120;

  constructor(readonly isTTY: boolean) {
    super();
  }

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const losses = { total: 0.5, backbone: 0.4, repulsion: 0.1 };

/** Drives a display through one member of 2 epochs × 2 steps. */
function drive(display: TrainingProgress): void {
  display.observer.onMemberStart?.(1, 2, { epoch: 0, step: 0 });
  for (let epoch = 0; epoch < 2; epoch++) {
    display.observer.onStep?.(1, epoch, 0, losses);
    display.observer.onStep?.(1, epoch, 1, losses);
    const record: EpochRecord = { member: 1, epoch, steps: 2, loss: 0.5, backboneLoss: 0.4, repulsion: 0.1, seconds: 0.2 };
    display.observer.onEpochEnd?.(record);
  }
  display.log('member 1: saved members/1/weights.safetensors');
  display.stop();
}

const options = { ensembleSize: 3, epochs: 2, repulsionId: 'rar', weight: 1 };

describe('trainingProgress', () => {
  it('prints plain lines off a terminal', () => {
    const stream = new Capture(false);
    drive(trainingProgress({ ...options, stream, interval: 0 }));

    const lines = stream.text.trimEnd().split('\n');
    expect(stream.text).not.toContain('\u001b[');
    expect(lines[0]).toBe('member 1 (2 of 3): 2 epochs × 2 steps, seniors 0..0 frozen');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}member 1 {2}epoch 1\/2 {2}step 1\/2 {2}ETA member \d+s, run \d+s$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}member 1 {2}epoch 2\/2 {2}loss 0\.50000 \(backbone 0\.40000 \+ 1·rar 0\.1000\) {2}0\.2 s {2}\[\d+ s total\] {2}ETA member 0s, run \d+s$/),
    );
    expect(lines.at(-1)).toBe('member 1: saved members/1/weights.safetensors');
  });

  it('draws bars on a terminal', () => {
    const stream = new Capture(true);
    drive(trainingProgress({ ...options, stream }));

    expect(stream.text).toContain('\u001b[');
    expect(stream.text).toMatch(/run +\S+ +66% \| member 1 of 3 \| ETA/);
    expect(stream.text).toMatch(/member 1 \S+ epoch 2\/2 step 2\/2 \| loss 0\.50000 \| ETA/);
    expect(stream.text).toMatch(/ {2}member 1 {2}epoch 2\/2 {2}loss 0\.50000 .*\n/);
    expect(stream.text).toContain('member 1: saved members/1/weights.safetensors\n');
  });

  it('says how far a resume starts', () => {
    const stream = new Capture(false);
    const display = trainingProgress({ ...options, stream });
    display.observer.onMemberStart?.(2, 4, { epoch: 1, step: 3 });

    expect(stream.text).toBe('member 2 (3 of 3): 2 epochs × 4 steps, seniors 0..1 frozen, resuming at epoch 2 step 4\n');
  });

  it('prints nothing when quiet', () => {
    const stream = new Capture(false);
    drive(trainingProgress({ ...options, stream, quiet: true }));

    expect(stream.text).toBe('');
  });

  it('formats durations', () => {
    expect([formatDuration(42.4), formatDuration(307), formatDuration(10_920), formatDuration(-1)]).toEqual(['42s', '5m 07s', '3h 02m', '0s']);
    expectTypeOf(trainingProgress).returns.toEqualTypeOf<TrainingProgress>();
  });
});
