import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MedAdLoader } from '../med-ad/loader.js';
import { readFixture, withPatient } from './__fixtures__/edit-dicom.js';
import { parseDicomBytes } from './daikon.js';
import { prepareDicom, type PrepareDicomOptions } from './prepare-dicom.js';

const temporary: string[] = [];
let input = '';
const implicit = readFixture('implicit_little.dcm');

// Six MR slices from one fixture: four patients, P4's image abnormal, plus the deflated fixture (no PatientID).
const inputs: Record<string, Buffer> = {
  'p1a.dcm': withPatient(implicit, 'P1', 0),
  'p1b.dcm': withPatient(implicit, 'P1', 7),
  'p2.dcm': withPatient(implicit, 'P2', 3),
  'sub/p3.dcm': withPatient(implicit, 'P3', 5),
  'p4.dcm': withPatient(implicit, 'P4', 9),
  'deflated.dcm': readFixture('deflated.dcm'),
};

beforeAll(async () => {
  input = await tempFolder('d2ue-dicom-in-');
  await mkdir(path.join(input, 'sub'));
  for (const [name, bytes] of Object.entries(inputs)) await writeFile(path.join(input, name), bytes);
});
afterAll(async () => {
  await Promise.all(temporary.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function tempFolder(prefix: string): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), prefix));
  temporary.push(folder);
  return folder;
}

async function prepare(csv: string, extra: Partial<PrepareDicomOptions> = {}): Promise<{ out: string; labels: string }> {
  const work = await tempFolder('d2ue-dicom-out-');
  const labels = path.join(work, 'labels.csv');
  await writeFile(labels, csv);
  const out = path.join(work, 'set');
  await prepareDicom({ input, labels, out, bits: 8, seed: '3', columns: { id: 'id', label: 'label', split: 'split' }, ...extra });
  return { out, labels };
}

const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(file, 'utf8'));
const LABELS = 'id,label\np1a,0\np1b.dcm,0\np2,0\nsub/p3,0\np4,1\ndeflated,0\n';

describe('prepareDicom', () => {
  it('writes PNGs equal to daikon', async () => {
    const { out } = await prepare(LABELS);
    const png = path.join(out, 'images', 'p2.png');
    expect(await sharp(png).metadata()).toMatchObject({ width: 256, height: 256, channels: 1, depth: 'uchar' });
    const { data } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });

    const { image } = parseDicomBytes(inputs['p2.dcm']!);
    const values = [...image!.getInterpretedData(false, true, 0).data];
    const low = values.reduce((a, b) => Math.min(a, b));
    const high = values.reduce((a, b) => Math.max(a, b));
    expect([...data]).toEqual(values.map((v) => Math.round(((v - low) / (high - low)) * 255)));
  });

  it('splits normals by patient', async () => {
    const { out } = await prepare(LABELS);
    const dataJson = (await readJson(path.join(out, 'data.json'))) as { train: { '0': string[] }; test: { '0': string[]; '1': string[] } };
    expect(dataJson.test['1']).toEqual(['p4.png']);
    // One abnormal image asks for one normal test image; P1's two images stay on one side.
    const p1 = ['p1a.png', 'p1b.png'];
    const sideOf = (name: string): string => (dataJson.train['0'].includes(name) ? 'train' : 'test');
    expect(sideOf('p1a.png')).toBe(sideOf('p1b.png'));
    expect([...dataJson.train['0'], ...dataJson.test['0']].sort()).toEqual(['deflated.png', ...p1, 'p2.png', 'sub/p3.png']);
    expect(dataJson.test['0'].length).toBeGreaterThanOrEqual(1);

    expect(await readJson(path.join(out, 'patients.json'))).toEqual({
      'p1a.png': 'P1',
      'p1b.png': 'P1',
      'p2.png': 'P2',
      'sub/p3.png': 'P3',
      'p4.png': 'P4',
    });

    const again = await prepare(LABELS);
    expect(await readJson(path.join(again.out, 'data.json'))).toEqual(dataJson);
  });

  it('keeps splits from the CSV', async () => {
    const csv = 'id,label,split\np1a,0,train\np1b,0,test\np2,0,train\nsub/p3,0,train\np4,1,test\n';
    const { out } = await prepare(csv, { size: 16, bits: 16 });
    expect(await readJson(path.join(out, 'data.json'))).toEqual({
      train: { '0': ['p1a.png', 'p2.png', 'sub/p3.png'] },
      test: { '0': ['p1b.png'], '1': ['p4.png'] },
    });
    expect(await sharp(path.join(out, 'images', 'p4.png')).metadata()).toMatchObject({ width: 16, height: 16, depth: 'ushort' });

    // The loader reads the folder and warns that P1 is in train and test.
    const warnings: string[] = [];
    const data = await new MedAdLoader({ cache: false }, (message) => warnings.push(message)).load(out, { imageSize: 16 });
    expect(data.test.ids).toEqual(['p1b.png', 'p4.png']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('1 patient(s) have images in both train and test, e.g. P1 (train "p1a.png", test "p1b.png")');
  });
});

describe('prepareDicom errors', () => {
  it('lists ids without files', async () => {
    await expect(prepare('id,label\np1a,0\nnope,0\ngone.dcm,1\n')).rejects.toThrow(
      `lists 2 id(s) with no DICOM file in ${input}: "nope", "gone.dcm"`,
    );
  });

  it('names bad CSV fields', async () => {
    await expect(prepare('file,label\np1a,0\n')).rejects.toThrow('labels.csv: the header has no "id" column (found "file", "label")');
    await expect(prepare('id,label\np1a,0\np2,maybe\n')).rejects.toThrow('labels.csv:3: label "maybe" for "p2" is not 0, 1, "normal" or "abnormal".');
    await expect(prepare('id,label,split\np1a,0,train\np4,1,train\n')).rejects.toThrow(
      'labels.csv:3: "p4" is abnormal (label 1) but in the train split',
    );
    await expect(prepare('id,label\np1a,0\np1a,1\n')).rejects.toThrow('labels.csv:3: id "p1a" is listed again (first on line 2)');
  });

  it('names files that fail', async () => {
    await writeFile(path.join(input, 'broken.dcm'), 'not a dicom file');
    await expect(prepare('id,label\np1a,0\nbroken,1\n')).rejects.toThrow(
      new RegExp(`1 of 2 DICOM file\\(s\\) failed to convert:\\n${path.join(input, 'broken.dcm')}: not a readable DICOM file`),
    );
  });

  it('needs a normal image to train', async () => {
    await expect(prepare('id,label,split\np1a,0,test\np4,1\n')).rejects.toThrow('no normal image is left for training');
  });
});
