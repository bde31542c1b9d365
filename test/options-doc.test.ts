import { readFileSync } from 'node:fs';

import * as backbones from '@d2ue/backbones';
import * as core from '@d2ue/core';
import * as datasets from '@d2ue/datasets';
import * as repulsion from '@d2ue/repulsion';
import * as uncertainty from '@d2ue/uncertainty';
import { describe, expect, it } from 'vitest';

import { toInputJsonSchema } from '../packages/core/src/cli/commands/schema.js';
import { DOCUMENTED_PACKAGES, collectOptions, renderOptionsDoc } from '../scripts/gen-options-doc.mjs';

/** docs/options.md is generated from the schemas (scripts/gen-options-doc.mjs) and must match them. */

const modules: Record<string, unknown> = {
  '@d2ue/backbones': backbones,
  '@d2ue/repulsion': repulsion,
  '@d2ue/uncertainty': uncertainty,
  '@d2ue/datasets': datasets,
};

function freshPage(): string {
  const packages = (DOCUMENTED_PACKAGES as string[]).map((name) => ({ name, module: modules[name] }));
  const { config, plugins } = collectOptions(core, toInputJsonSchema, packages);
  return renderOptionsDoc(config, plugins) as string;
}

describe('options page', () => {
  it('matches a fresh generation', () => {
    const committed = readFileSync(new URL('../docs/options.md', import.meta.url), 'utf8');
    // On a mismatch: npx tsc -b && node scripts/gen-options-doc.mjs
    expect(committed).toBe(freshPage());
  });

  it('lists every plug-in option', () => {
    const page = freshPage();
    const section = page.slice(page.indexOf('### `MemAE`'), page.indexOf('### `AE-U`'));

    // Read independently from the schema: every MemAE option appears with its default.
    for (const [key, value] of Object.entries(backbones.memAeBackbone.options.parse({}))) {
      expect(section).toContain(`| \`${key}\` |`);
      expect(section).toContain(`\`${JSON.stringify(value)}\``);
    }
  });

  it('lists every config section', () => {
    const page = freshPage();
    for (const key of Object.keys(core.ConfigSchema.shape)) expect(page).toContain(`### \`${key}\``);
    expect(page).toContain('| `epochs` | integer | `250` | ≥ 1 |');
  });
});
