import { describe, expect, it } from 'vitest';

// @ts-ignore: a plain ES module script without type declarations.
import { PACKED, packCheck } from '../scripts/pack-check.mjs';

/**
 * `npm pack` of every package installs into an empty folder outside the repository next to
 * @tensorflow/tfjs-core 4.22.0, and the installed packages train and score a tiny ensemble there
 * (scripts/pack-check.mjs does the work; it needs the npm registry or a warm npm cache).
 */

interface Row {
  readonly scorer: string;
  readonly members: number;
  readonly auroc: number;
}

describe('npm pack', () => {
  it(
    'installs and trains elsewhere',
    () => {
      const result = packCheck({ log: () => undefined }) as {
        counts: Record<string, number>;
        backend: string;
        rows: Row[];
        tinyAe: string;
        schemaTitle: string;
        installed: Record<string, string>;
      };

      expect(Object.keys(result.installed)).toHaveLength((PACKED as string[]).length + 1);
      expect(result.counts).toEqual({ train: 64, testNormal: 16, testAbnormal: 16 });
      expect(result.backend).toBe('cpu');
      expect(result.rows.map((row) => [row.scorer, row.members])).toEqual([
        ['reconstruction', 2],
        ['dsu', 2],
        ['max-error', 2],
      ]);
      for (const row of result.rows) {
        expect(row.auroc).toBeGreaterThanOrEqual(0);
        expect(row.auroc).toBeLessThanOrEqual(1);
      }
      expect(result.tinyAe).toMatch(/tiny convolutional autoencoder/);
      expect(result.schemaTitle).toBe('d2ue config');
    },
    300_000,
  );
});
