import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';

import { monochrome1Twin, readFixture, rescaledTwin, withTransferSyntax } from './__fixtures__/edit-dicom.js';
import { toGrey } from './convert.js';
import { parseDicomBytes } from './daikon.js';
import { readDicom, type DicomImage } from './read-dicom.js';

let folder = '';
afterAll(async () => {
  if (folder !== '') await rm(folder, { recursive: true, force: true });
});

/** Writes `bytes` to a temporary file and reads it back with readDicom. */
async function readBytes(name: string, bytes: Buffer): Promise<DicomImage> {
  folder ||= await mkdtemp(path.join(tmpdir(), 'd2ue-dicom-'));
  const file = path.join(folder, name);
  await writeFile(file, bytes);
  return readDicom(file);
}

/** daikon's own interpretation of frame 0: stored values with the rescale applied. The oracle of these tests. */
function daikonValues(bytes: Buffer): number[] {
  const { image } = parseDicomBytes(bytes);
  return [...image!.getInterpretedData(false, true, 0).data];
}

const implicit = readFixture('implicit_little.dcm');

// Loops, not Math.min(...values): a 512 x 512 image has too many values to spread into arguments.
const minOf = (values: ArrayLike<number>): number => Array.prototype.reduce.call(values, (a, b) => Math.min(a as number, b as number), Infinity) as number;
const maxOf = (values: ArrayLike<number>): number => Array.prototype.reduce.call(values, (a, b) => Math.max(a as number, b as number), -Infinity) as number;

describe('readDicom', () => {
  it('matches daikon on three syntaxes', async () => {
    for (const name of ['implicit_little.dcm', 'deflated.dcm', 'jpeg_2000.dcm']) {
      const bytes = readFixture(name);
      const image = await readBytes(name, bytes);
      expect(image.values.length, name).toBe(image.rows * image.cols);
      expect([...image.values], name).toEqual(daikonValues(bytes));
    }
  });

  it('reads header fields', async () => {
    const ct = await readBytes('ct.dcm', readFixture('jpeg_2000.dcm'));
    expect(ct).toMatchObject({ rows: 512, cols: 512, photometric: 'MONOCHROME2', patientId: '1CT1', transferSyntax: '1.2.840.10008.1.2.4.91' });
    const deflated = await readBytes('deflated.dcm', readFixture('deflated.dcm'));
    expect(deflated.patientId).toBeNull();
    expectTypeOf(ct).toEqualTypeOf<DicomImage>();
  });

  it('applies rescale slope and intercept', async () => {
    const original = await readBytes('plain.dcm', implicit);
    const twinBytes = rescaledTwin(implicit, 2, -100);
    const rescaled = await readBytes('rescaled.dcm', twinBytes);
    expect([...rescaled.values]).toEqual([...original.values].map((v) => 2 * v - 100));
    expect([...rescaled.values]).toEqual(daikonValues(twinBytes));

    // The CT fixture stores 0 for air with intercept -1024, so its modality minimum is -1024 HU or below.
    const ct = await readBytes('ct.dcm', readFixture('jpeg_2000.dcm'));
    expect(minOf(ct.values)).toBeLessThanOrEqual(-1024);
  });

  it('rejects an undecodable syntax', async () => {
    const bytes = withTransferSyntax(readFixture('jpeg_2000.dcm'), '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.93');
    await expect(readBytes('part2.dcm', bytes)).rejects.toThrow(
      /part2\.dcm: transfer syntax 1\.2\.840\.10008\.1\.2\.4\.93 \(JPEG 2000 Part 2 Multi-component\) cannot be decoded by daikon/,
    );
  });

  it('rejects non-DICOM and truncated files', async () => {
    await expect(readBytes('note.dcm', Buffer.from('hello, not dicom'))).rejects.toThrow(/note\.dcm: not a readable DICOM file/);
    await expect(readBytes('short.dcm', implicit.subarray(0, implicit.length - 1000))).rejects.toThrow(
      /short\.dcm: the pixel data has \d+ bytes, fewer than 256 x 256 x 2; the file is truncated/,
    );
  });
});

describe('toGrey', () => {
  it('maps min-max to 8 bits', async () => {
    const image = await readBytes('plain.dcm', implicit);
    const values = daikonValues(implicit);
    const low = minOf(values);
    const high = maxOf(values);
    const grey = toGrey(image, { bits: 8 });
    expect(grey).toMatchObject({ width: 256, height: 256, depth: 8 });
    expect([...grey.pixels]).toEqual(values.map((v) => Math.round(((v - low) / (high - low)) * 255)));
  });

  it('gives MONOCHROME1 twins one image', async () => {
    const plain = await readBytes('plain.dcm', implicit);
    const twin = await readBytes('mono1.dcm', monochrome1Twin(implicit));
    expect(twin.photometric).toBe('MONOCHROME1');
    expect([...twin.values]).not.toEqual([...plain.values]);
    for (const bits of [8, 16] as const) {
      expect([...toGrey(twin, { bits }).pixels], `${bits} bits`).toEqual([...toGrey(plain, { bits }).pixels]);
    }
    const window = { center: 300, width: 400 };
    const shifted = { center: minOf(plain.values) + maxOf(plain.values) - 300, width: 400 };
    expect([...toGrey(twin, { bits: 8, window: shifted }).pixels]).toEqual([...toGrey(plain, { bits: 8, window }).pixels]);
  });

  it('windows in modality units', async () => {
    const bytes = readFixture('jpeg_2000.dcm');
    const ct = await readBytes('ct.dcm', bytes);
    const grey = toGrey(ct, { bits: 8, window: { center: 40, width: 400 } });
    // PS3.3 C.11.2.1.2.1 written out on daikon's HU values.
    const expected = daikonValues(bytes).map((v) => {
      if (v <= 39.5 - 199.5) return 0;
      if (v > 39.5 + 199.5) return 255;
      return Math.round(((v - 39.5) / 399 + 0.5) * 255);
    });
    expect([...grey.pixels]).toEqual(expected);
    expect(new Set(grey.pixels).size).toBeGreaterThan(50);
  });

  it('resizes to the asked size', async () => {
    const grey = toGrey(await readBytes('plain.dcm', implicit), { bits: 16, size: 32 });
    expect(grey).toMatchObject({ width: 32, height: 32, depth: 16 });
    expect(grey.pixels.length).toBe(32 * 32);
    expect(maxOf(grey.pixels)).toBeGreaterThan(255);
  });

  it('rejects a missing file window', async () => {
    const image = await readBytes('plain.dcm', implicit);
    expect(() => toGrey(image, { bits: 8, window: 'file' })).toThrow(/plain\.dcm: the window was asked for from the file, but it has no Window Center\/Width/);
    expect(() => toGrey(image, { bits: 8, window: { center: 0, width: 0 } })).toThrow('window width must be at least 1, got 0.');
  });
});
