import { Command } from 'commander';
import { describe, expect, it } from 'vitest';

import { installPluginCommands } from './plugin-commands.js';

describe('installPluginCommands', () => {
  it('adds prepare dicom and nifti', async () => {
    const program = new Command('d2ue').exitOverride();
    const installed = await installPluginCommands(program, ['@d2ue/datasets']);
    expect(installed).toEqual(['prepare-dicom', 'prepare-nifti']);

    // Both descriptors share one "prepare" parent.
    const prepare = program.commands.filter((command) => command.name() === 'prepare');
    expect(prepare).toHaveLength(1);
    expect(prepare[0]!.commands.map((command) => command.name())).toEqual(['dicom', 'nifti']);
  });

  it('names a missing package', async () => {
    await expect(installPluginCommands(new Command('d2ue'), ['@d2ue/not-a-package'])).rejects.toThrow(
      'plugins: cannot import "@d2ue/not-a-package"',
    );
  });
});
