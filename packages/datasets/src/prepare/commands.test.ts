import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';

import { readFixture, withPatient } from '../dicom/__fixtures__/edit-dicom.js';
import { niftiBytes } from '../nifti/__fixtures__/write-nifti.js';
import { prepareDicomCommand, prepareNiftiCommand } from './commands.js';
import { PrepareDicomCommandOptions, PrepareNiftiCommandOptions } from './options.js';

const temporary: string[] = [];
afterAll(async () => {
  await Promise.all(temporary.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'd2ue-prepare-cli-'));
  temporary.push(folder);
  return folder;
}

/** Runs `d2ue <args>` with both prepare commands installed; returns what it printed. */
async function run(args: string[]): Promise<string> {
  const program = new Command('d2ue').exitOverride();
  prepareDicomCommand.install({ program });
  prepareNiftiCommand.install({ program });
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'd2ue', ...args]);
    return write.mock.calls.map((call) => String(call[0])).join('');
  } finally {
    write.mockRestore();
  }
}

describe('d2ue prepare', () => {
  it('converts DICOM from the CLI', async () => {
    const work = await tempFolder();
    const implicit = readFixture('implicit_little.dcm');
    await writeFile(path.join(work, 'a.dcm'), withPatient(implicit, 'A', 0));
    await writeFile(path.join(work, 'b.dcm'), withPatient(implicit, 'B', 4));
    await writeFile(path.join(work, 'c.dcm'), withPatient(implicit, 'C', 8));
    await writeFile(path.join(work, 'labels.csv'), 'name,finding\na,normal\nb,normal\nc,abnormal\n');
    const out = path.join(work, 'set');

    const printed = await run([
      'prepare', 'dicom', work, '--labels', path.join(work, 'labels.csv'), '--out', out,
      '--size', '16', '--bits', '16', '--window', '300,600', '--id-column', 'name', '--label-column', 'finding',
    ]);
    expect(printed).toBe(`${out}: 1 train, 1 normal test and 1 abnormal test image(s)\n`);
    expect(JSON.parse(await readFile(path.join(out, 'patients.json'), 'utf8'))).toEqual({ 'a.png': 'A', 'b.png': 'B', 'c.png': 'C' });
  });

  it('slices NIfTI from the CLI', async () => {
    const work = await tempFolder();
    const values = Array.from({ length: 8 * 8 * 6 }, (_, i) => ((i % 8) - 3.5) ** 2 + ((Math.floor(i / 8) % 8) - 3.5) ** 2 < 9 ? 500 + i : 0);
    const volume = path.join(work, 'v.nii.gz');
    await writeFile(volume, niftiBytes([8, 8, 6], values, { gzip: true }));
    const out = path.join(work, 'set');

    const printed = await run(['prepare', 'nifti', volume, '--out', out, '--size', '8', '--lesions', '1', '--slices', '1:5', '--seed', '3']);
    expect(printed).toBe(`${out}: 2 train, 2 normal test and 2 abnormal test image(s)\n`);
  });

  it('names bad flags', async () => {
    await expect(run(['prepare', 'nifti', 'v.nii', '--out', 'x', '--axis', '3', '--slices', '4-9'])).rejects.toThrow(
      /d2ue prepare nifti: invalid option value\(s\):\n {2}--axis: .*\n {2}--slices: must be "<start>:<end>"/,
    );
    await expect(run(['prepare', 'dicom', 'in', '--labels', 'l.csv', '--out', 'x', '--window', 'wide'])).rejects.toThrow(
      /--window: .*"<centre>,<width>"/,
    );
  });

  it('round-trips its option defaults', () => {
    const dicom = PrepareDicomCommandOptions.parse({ labels: 'l.csv', out: 'o' });
    expect(dicom).toEqual({ labels: 'l.csv', out: 'o', bits: 8, seed: '0', idColumn: 'id', labelColumn: 'label', splitColumn: 'split' });
    const nifti = PrepareNiftiCommandOptions.parse({ out: 'o' });
    expect(nifti).toEqual({ out: 'o', axis: 2, minTissue: 0.1, size: 64, bits: 8, lesions: 2, seed: '0' });
  });
});
