import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { D2ueError, describeValue } from '@d2ue/core';

import type { MedAdSplits } from './data-json.js';

/** The optional file of a Med-AD folder that maps image names to patient ids. */
export const PATIENTS_FILE = 'patients.json';

/** A patient with images on both sides of the train/test split. */
export interface PatientLeak {
  readonly patient: string;
  readonly train: string;
  readonly test: string;
}

/**
 * Reads `root/patients.json` (`{"image name": "PatientID", ...}`), as `d2ue prepare dicom` writes it. Returns
 * null when the folder has none.
 *
 * @example
 * const patients = await readPatients('/data/rsna'); // Map { 'a.png' => 'P001', ... }
 * @throws D2ueError `data` when the file is not JSON or not an object of non-empty strings; the message names
 * the file and the entry.
 */
export async function readPatients(root: string): Promise<Map<string, string> | null> {
  const file = path.join(root, PATIENTS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new D2ueError('data', `${file}: cannot read the file (${(error as Error).message}). Check its permissions.`, {
      subject: file,
      cause: error,
    });
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new D2ueError('data', `${file}: invalid JSON (${(error as Error).message}). Fix the syntax or delete the file.`, {
      subject: file,
      cause: error,
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new D2ueError(
      'data',
      `${file}: the top level must be an object mapping image names to patient ids, found ${describeValue(json).slice(0, 60)}.`,
      { subject: file },
    );
  }

  const patients = new Map<string, string>();
  for (const [name, patient] of Object.entries(json)) {
    if (typeof patient !== 'string' || patient.length === 0) {
      throw new D2ueError(
        'data',
        `${file}: "${name}" must map to a non-empty patient id string, found ${describeValue(patient)}.`,
        { subject: `${file}:${name}` },
      );
    }
    patients.set(path.posix.normalize(name), patient);
  }
  return patients;
}

/**
 * Patients that have an image in `train.0` and another in `test.0` or `test.1`, each with one example of both.
 * Such a split leaks the patient's anatomy into training, which makes the test scores optimistic.
 *
 * @example
 * findPatientLeaks(splits, new Map([['a.png', 'P1'], ['b.png', 'P1']])); // [{ patient: 'P1', train: 'a.png', test: 'b.png' }]
 */
export function findPatientLeaks(splits: MedAdSplits, patients: ReadonlyMap<string, string>): PatientLeak[] {
  const trainImage = new Map<string, string>();
  for (const name of splits.train) {
    const patient = patients.get(path.posix.normalize(name));
    if (patient !== undefined && !trainImage.has(patient)) trainImage.set(patient, name);
  }

  const leaks = new Map<string, PatientLeak>();
  for (const name of [...splits.testNormal, ...splits.testAbnormal]) {
    const patient = patients.get(path.posix.normalize(name));
    const train = patient === undefined ? undefined : trainImage.get(patient);
    if (patient !== undefined && train !== undefined && !leaks.has(patient)) {
      leaks.set(patient, { patient, train, test: name });
    }
  }
  return [...leaks.values()];
}

/**
 * The warning for {@link findPatientLeaks}' result: how many patients, and the first 3 with an image of each side.
 *
 * @example
 * patientLeakWarning('/data/rsna/patients.json', leaks);
 */
export function patientLeakWarning(file: string, leaks: readonly PatientLeak[]): string {
  const examples = leaks
    .slice(0, 3)
    .map((leak) => `${leak.patient} (train "${leak.train}", test "${leak.test}")`)
    .join(', ');
  return (
    `${file}: ${leaks.length} patient(s) have images in both train and test, e.g. ${examples}` +
    `${leaks.length > 3 ? ', …' : ''}. Test scores will be optimistic; split the images by patient.`
  );
}
