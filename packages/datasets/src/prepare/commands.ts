import { D2ueError, type CommandDescriptor, type CommandHost } from '@d2ue/core';
import type { z } from 'zod';

import { buildFolderAtomically } from '../build-folder.js';
import { prepareDicom } from '../dicom/prepare-dicom.js';
import { readVolumes, writeSlices } from '../nifti/prepare-nifti.js';
import { PrepareDicomCommandOptions, PrepareNiftiCommandOptions } from './options.js';

type Program = CommandHost['program'];

/** The shared `prepare` parent: the first descriptor to install creates it, the second finds it. */
function prepareParent(program: Program): Program {
  return (
    program.commands.find((command) => command.name() === 'prepare') ??
    program.command('prepare').description('convert medical images (DICOM, NIfTI) into a Med-AD folder')
  );
}

/** Validates commander's option strings with `schema`; a bad value names its flag. */
function parseFlags<S extends z.ZodType>(command: string, schema: S, raw: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const flag = issue.path.map((key) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(' ');
    return `  ${flag || '(options)'}: ${issue.message}`;
  });
  throw new D2ueError('config', `d2ue ${command}: invalid option value(s):\n${lines.join('\n')}\nRun "d2ue ${command} --help".`, {
    subject: command,
  });
}

/**
 * `d2ue prepare dicom <input> --labels <csv> --out <folder>`: DICOM files to a Med-AD folder (see `prepareDicom`).
 *
 * @example
 * prepareDicomCommand.install({ program });
 */
export const prepareDicomCommand: CommandDescriptor<typeof PrepareDicomCommandOptions> = {
  kind: 'command',
  id: 'prepare-dicom',
  summary: 'd2ue prepare dicom: DICOM files and a labels CSV to a Med-AD folder',
  options: PrepareDicomCommandOptions,
  install: ({ program }) => {
    prepareParent(program)
      .command('dicom')
      .description('convert a folder of DICOM files listed in a labels CSV (id,label[,split]) into a Med-AD folder')
      .argument('<input>', 'folder of DICOM files (searched recursively)')
      .requiredOption('--labels <csv>', 'CSV with a header: id (file path relative to <input>, .dcm optional), label (0/1), optional split (train/test)')
      .requiredOption('--out <folder>', 'the Med-AD folder to write')
      .option('--bits <n>', '8 or 16 bits per pixel', '8')
      .option('--size <n>', 'resize to n x n pixels (default: keep the native size)')
      .option('--window <c,w>', 'VOI window "<centre>,<width>" in modality units, or "file" for the file\'s own (default: min-max)')
      .option('--test-normal <n>', 'normal test images when the CSV has no split column (default: as many as abnormal, at most half)')
      .option('--seed <s>', 'seed of the patient-level split', '0')
      .option('--id-column <name>', 'CSV column of the file id', 'id')
      .option('--label-column <name>', 'CSV column of the label', 'label')
      .option('--split-column <name>', 'CSV column of the split, used when present', 'split')
      .action(async (input: string, raw: Record<string, unknown>) => {
        const flags = parseFlags('prepare dicom', PrepareDicomCommandOptions, raw);
        const built = await prepareDicom({
          input,
          labels: flags.labels,
          out: flags.out,
          bits: flags.bits,
          seed: flags.seed,
          columns: { id: flags.idColumn, label: flags.labelColumn, split: flags.splitColumn },
          ...(flags.size === undefined ? {} : { size: flags.size }),
          ...(flags.window === undefined ? {} : { window: flags.window }),
          ...(flags.testNormal === undefined ? {} : { testNormal: flags.testNormal }),
        });
        process.stdout.write(`${summarise(built.root, built.counts)}\n`);
      });
  },
};

/**
 * `d2ue prepare nifti <volume> --out <folder>`: slices a NIfTI volume into a Med-AD folder, optionally with
 * synthetic lesions (see `writeSlices`).
 *
 * @example
 * prepareNiftiCommand.install({ program });
 */
export const prepareNiftiCommand: CommandDescriptor<typeof PrepareNiftiCommandOptions> = {
  kind: 'command',
  id: 'prepare-nifti',
  summary: 'd2ue prepare nifti: slices of a NIfTI volume (optionally with synthetic lesions) to a Med-AD folder',
  options: PrepareNiftiCommandOptions,
  install: ({ program }) => {
    prepareParent(program)
      .command('nifti')
      .description('slice a NIfTI volume (.nii, .nii.gz) into a Med-AD folder; test slices get synthetic lesions with pixel masks')
      .argument('<volume>', 'the NIfTI volume')
      .requiredOption('--out <folder>', 'the Med-AD folder to write')
      .option('--mask <file>', 'NIfTI mask in the volume\'s space; voxels > 0 are tissue (default: voxels above 10% of the range)')
      .option('--axis <n>', 'slicing axis: 0 sagittal, 1 coronal, 2 axial', '2')
      .option('--slices <a:b>', 'slice range [a, b) along the axis (default: all)')
      .option('--min-tissue <f>', 'keep slices whose tissue covers at least this fraction', '0.1')
      .option('--size <n>', 'image side in pixels', '64')
      .option('--bits <n>', '8 or 16 bits per pixel', '8')
      .option('--lesions <n>', 'lesioned copies of each test slice (0: none, no abnormal images)', '2')
      .option('--seed <s>', 'seed of the lesions', '0')
      .action(async (volumeFile: string, raw: Record<string, unknown>) => {
        const flags = parseFlags('prepare nifti', PrepareNiftiCommandOptions, raw);
        const slicing = {
          axis: flags.axis,
          minTissue: flags.minTissue,
          size: flags.size,
          bits: flags.bits,
          lesions: flags.lesions,
          seed: flags.seed,
          ...(flags.slices === undefined ? {} : { range: flags.slices }),
        };
        const settings = { volume: volumeFile, mask: flags.mask ?? null, ...slicing };
        const built = await buildFolderAtomically(flags.out, 'prepare-nifti', settings, async (folder) => {
          const { volume, mask } = await readVolumes(volumeFile, flags.mask);
          const counts = await writeSlices(volume, mask, slicing, folder);
          return { train: counts.train, testNormal: counts.testNormal, testAbnormal: counts.testAbnormal };
        });
        process.stdout.write(`${summarise(built.root, built.counts)}\n`);
      });
  },
};

function summarise(root: string, counts: { train: number; testNormal: number; testAbnormal: number }): string {
  return `${root}: ${counts.train} train, ${counts.testNormal} normal test and ${counts.testAbnormal} abnormal test image(s)`;
}
