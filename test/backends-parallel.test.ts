/**
 * The worker pool: members scored in worker threads give the same outputs as on the main thread, workers report
 * flat tensor counts, Math.random is seeded in workers, and worker errors reach the caller. Workers run the built
 * JavaScript (packages/*\/dist), so `npx tsc -b` must have run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { aeBackbone } from '@d2ue/backbones';
import { D2ueError, WorkerPool, activateBackend, builtModuleUrl, mapMembersInWorkers, type Backbone } from '@d2ue/core';
import { dualSpaceMap } from '@d2ue/uncertainty';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

/** max |got − want| / max |want|. */
function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs((got[i] as number) - (want[i] as number)));
    scale = Math.max(scale, Math.abs(want[i] as number));
  }
  return diff / Math.max(scale, 1e-30);
}

const TINY = { imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64, latentSize: 16 };

/** A task module given inline, so the test needs no fixture file. */
const TASKS =
  'data:text/javascript,' +
  encodeURIComponent(
    'export function draw(n) { return Array.from({ length: n }, () => Math.random()); }\n' +
      'export function fail() { throw new Error("task failed on purpose"); }\n',
  );

describe('WorkerPool', () => {
  let pool: WorkerPool;
  let members: Backbone[];
  let images: tf.Tensor4D;

  beforeAll(async () => {
    await activateBackend('wasm');
    members = [0, 1].map((i) => aeBackbone.create(aeBackbone.options.parse(TINY), { seed: `member-${i}` }));
    images = tf.randomUniform([5, 32, 32, 1], -1, 1, 'float32', 3) as tf.Tensor4D;
    pool = await WorkerPool.start({ size: 2, backend: 'wasm', plugins: ['@d2ue/backbones'], seed: 'test' });
  });

  afterAll(async () => {
    await pool?.close();
    members?.forEach((member) => member.dispose());
    images?.dispose();
  });

  it('matches main-thread predictions', async () => {
    const results = await mapMembersInWorkers(pool, members, images, { batchSize: 2 });

    expect(results).toHaveLength(2);
    results.forEach((result, i) => {
      const want = tf.tidy(() => members[i]!.apply(images, { training: false }).reconstruction.dataSync());
      const got = result.outputs.reconstruction!;
      expect(got.shape).toEqual([5, 32, 32, 1]);
      expect(relativeError(got.dataSync(), want)).toBeLessThanOrEqual(1e-5);
    });
    tf.dispose(results.flatMap((result) => Object.values(result.outputs)));
  });

  it('matches main-thread dual-space maps', async () => {
    const map = { module: '@d2ue/uncertainty', exportName: 'dualSpaceMap' };
    const results = await mapMembersInWorkers(pool, members, images, { batchSize: 5, map });

    results.forEach((result, i) => {
      const want = tf.tidy(() => dualSpaceMap(members[i]!, images).map.dataSync());
      expect(relativeError(result.outputs.map!.dataSync(), want)).toBeLessThanOrEqual(1e-5);
    });
    tf.dispose(results.flatMap((result) => Object.values(result.outputs)));
  });

  it('reports flat tensor counts', async () => {
    const first = await mapMembersInWorkers(pool, members, images, { batchSize: 3 });
    const second = await mapMembersInWorkers(pool, members, images, { batchSize: 3 });

    second.forEach((result, i) => expect(result.numTensors).toBe(first[i]!.numTensors));
    tf.dispose([...first, ...second].flatMap((result) => Object.values(result.outputs)));
  });

  it('seeds Math.random in workers', async () => {
    const draw = async (seed: string): Promise<number[]> => {
      const single = await WorkerPool.start({ size: 1, backend: 'cpu', seed });
      try {
        return (await single.run<number[]>(TASKS, 'draw', 3)).result;
      } finally {
        await single.close();
      }
    };

    const a = await draw('test');
    const b = await draw('test');
    const c = await draw('other');

    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('passes task errors on', async () => {
    await expect(pool.run(TASKS, 'fail', null)).rejects.toThrow(/task failed on purpose/);
    await expect(pool.run(TASKS, 'missing', null)).rejects.toThrow(/exports no function "missing"/);
    await expect(pool.run(TASKS, 'fail', null)).rejects.toBeInstanceOf(D2ueError);
  });

  it('fails to start a bad backend', async () => {
    await expect(WorkerPool.start({ size: 1, backend: 'node', seed: 'x' })).rejects.toThrow(/npm install @tensorflow\/tfjs-node@4\.22\.0/);
    expect(builtModuleUrl('worker').href).toMatch(/dist\/parallel\/worker\.js$/);
    expect(() => builtModuleUrl('no-such-module')).toThrow(/no-such-module\.js is missing; run "npx tsc -b"/);
    expectTypeOf(pool.run<number>).returns.resolves.toHaveProperty('numTensors');
  });
});
