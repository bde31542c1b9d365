import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { D2ueError, hashBytes, type BuiltDataset } from '@d2ue/core';

import { buildFolderAtomically } from '../build-folder.js';
import { runConcurrently } from '../concurrency.js';
import { writeGreyPng } from '../image/encode.js';
import { PATIENTS_FILE } from '../med-ad/patients.js';
import { toGrey, type DicomConversion } from './convert.js';
import { readLabels, type LabelColumns } from './labels-csv.js';
import { readDicom } from './read-dicom.js';
import { splitByPatient, type SplitItem } from './split.js';

/** What `d2ue prepare dicom` needs. */
export interface PrepareDicomOptions extends DicomConversion {
  /** The folder of DICOM files (searched recursively). */
  readonly input: string;

  /** The labels CSV. */
  readonly labels: string;

  /** The Med-AD folder to write. */
  readonly out: string;

  readonly columns: LabelColumns;

  /** Seed of the split of normal images without a split column. */
  readonly seed: string;

  /** Normal test images wanted when the split is made here; see `splitByPatient`. */
  readonly testNormal?: number;
}

// daikon decodes in JavaScript on the main thread, so more files in flight only add memory; 4 overlap the reads.
const CONCURRENCY = 4;

/**
 * Converts the DICOM files a labels CSV lists into a Med-AD folder: `images/<id>.png`, `data.json`, and
 * `patients.json` mapping each image to its PatientID (for the loader's train/test leak check). The folder is
 * built atomically; a second run with the same options and the same CSV reuses it.
 *
 * @example
 * await prepareDicom({ input: 'dicom/', labels: 'labels.csv', out: 'rsna/', bits: 8, size: 256, seed: '0',
 *   columns: { id: 'id', label: 'label', split: 'split' } });
 * @throws D2ueError `data` for a bad CSV (file and line), ids without a DICOM file (count and first 5), or DICOM
 * files that fail to read or convert (each named); `io` when `out` exists and was not made by this command.
 */
export async function prepareDicom(options: PrepareDicomOptions): Promise<BuiltDataset> {
  const rows = await readLabels(options.labels, options.columns);
  const files = await matchFiles(options.input, rows.map((row) => row.id), options.labels);
  const names = rows.map((row) => `${row.id.replace(/\.dcm$/i, '')}.png`);

  const settings = {
    input: path.resolve(options.input),
    labelsSha256: hashBytes(await readFile(options.labels)),
    bits: options.bits,
    window: options.window ?? null,
    size: options.size ?? null,
    seed: options.seed,
    testNormal: options.testNormal ?? null,
  };

  return buildFolderAtomically(options.out, 'prepare-dicom', settings, async (folder) => {
    const patients = new Array<string | null>(rows.length);
    const failures = await runConcurrently(rows.length, CONCURRENCY, async (index) => {
      const image = await readDicom(files[index]!);
      patients[index] = image.patientId;
      await writeGreyPng(path.join(folder, 'images', names[index]!), toGrey(image, options));
    });
    if (failures.length > 0) {
      const reasons = failures.slice(0, 5).map((failure) => (failure.error as Error).message);
      throw new D2ueError(
        'data',
        `${failures.length} of ${rows.length} DICOM file(s) failed to convert${failures.length > 5 ? ' (first 5 shown)' : ''}:\n` +
          reasons.join('\n'),
        { subject: options.input, cause: failures[0]!.error },
      );
    }

    const items: SplitItem[] = rows.map((row, index) => ({
      name: names[index]!,
      label: row.label,
      patient: patients[index]!,
      ...(row.split === undefined ? {} : { split: row.split }),
    }));
    const lists = splitByPatient(items, { seed: options.seed, ...(options.testNormal === undefined ? {} : { testNormal: options.testNormal }) });

    const dataJson = { train: { '0': lists.train }, test: { '0': lists.testNormal, '1': lists.testAbnormal } };
    await writeFile(path.join(folder, 'data.json'), `${JSON.stringify(dataJson, null, 1)}\n`);
    const patientMap = Object.fromEntries(items.filter((item) => item.patient !== null).map((item) => [item.name, item.patient]));
    await writeFile(path.join(folder, PATIENTS_FILE), `${JSON.stringify(patientMap, null, 1)}\n`);

    return { train: lists.train.length, testNormal: lists.testNormal.length, testAbnormal: lists.testAbnormal.length };
  });
}

/**
 * The DICOM file of each id: an id is a path relative to `input` (`/` separated), with or without `.dcm`.
 *
 * @throws D2ueError `data` naming the folder, or the count and first 5 ids that match no file.
 */
async function matchFiles(input: string, ids: readonly string[], labels: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = (await readdir(input, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(input, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
  } catch (error) {
    throw new D2ueError('data', `${input}: cannot list the DICOM folder (${(error as Error).message}).`, { subject: input, cause: error });
  }

  const byId = new Map<string, string>();
  for (const relative of entries) {
    byId.set(relative, relative);
    const stem = relative.replace(/\.dcm$/i, '');
    if (!byId.has(stem)) byId.set(stem, relative);
  }

  const missing: string[] = [];
  const bad: string[] = [];
  const files = ids.map((id) => {
    const normalised = path.posix.normalize(id);
    if (path.isAbsolute(id) || normalised.startsWith('../') || normalised === '..') bad.push(id);
    const relative = byId.get(normalised);
    if (relative === undefined) missing.push(id);
    return path.join(input, relative ?? id);
  });

  if (bad.length > 0) {
    throw new D2ueError('data', `${labels}: id "${bad[0]}" points outside ${input}; ids are paths relative to that folder.`, {
      subject: labels,
    });
  }
  if (missing.length > 0) {
    const first = missing.slice(0, 5).map((id) => `"${id}"`).join(', ');
    throw new D2ueError(
      'data',
      `${labels} lists ${missing.length} id(s) with no DICOM file in ${input}: ${first}${missing.length > 5 ? ', …' : ''}. ` +
        `An id is the file's path relative to that folder, with or without ".dcm".`,
      { subject: labels },
    );
  }
  return files;
}
