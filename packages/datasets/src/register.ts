import { registerDescriptors, type RegisterPlugins } from '@d2ue/core';

import { medAdLoader } from './med-ad/descriptor.js';
import { mnistBuilder } from './mnist/descriptor.js';
import { brainMriBuilder } from './brain-mri/descriptor.js';
import { prepareDicomCommand, prepareNiftiCommand } from './prepare/commands.js';

/**
 * Registers the plug-ins of @d2ue/datasets: `loader:med-ad`, `dataset:mnist`, `dataset:brain-mri`, and the
 * `command:prepare-dicom` and `command:prepare-nifti` sub-commands (`d2ue prepare dicom|nifti`).
 *
 * @example
 * register(createContainer());
 * @throws D2ueError `plugin` when one of these tokens is already registered in the container.
 */
export const register: RegisterPlugins = (container) => {
  registerDescriptors(container, [medAdLoader, mnistBuilder, brainMriBuilder, prepareDicomCommand, prepareNiftiCommand]);
};
