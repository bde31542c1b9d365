import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  buildTable,
  canonicalJson,
  crossProduct,
  defaultAblationDir,
  EtaClock,
  formatAblationCsv,
  formatAblationLatex,
  formatAblationMarkdown,
  formatTimeSpan,
  loadPlugins,
  parseSeeds,
  parseVary,
  planAblation,
  splitTopLevel,
  trainingKey,
  validateConfig,
  type AblationPlan,
  type CellOutcome,
} from '@d2ue/core';
import { describe, expect, expectTypeOf, it } from 'vitest';

import { scratchDir } from './helpers/tiny.js';

const BASE = `
backbone: { name: AE, imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 }
repulsion: { name: rar, weight: 1, tap: 4 }
ensemble: { size: 3 }
training: { epochs: 1, batchSize: 16, seed: 8 }
data: { builder: mnist, normalClass: 0, train: 32, testNormal: 16, testAbnormal: 16 }
scorers: [reconstruction, output]
backend: cpu
`;

function configFile(text: string): string {
  const dir = scratchDir('ablation-grid');
  const file = join(dir, 'base.yaml');
  writeFileSync(file, text);
  return file;
}

describe('parseVary', () => {
  it('reads values as YAML', () => {
    const axis = parseVary('repulsion.weight=0,0.5,1e-3');
    expect(axis.name).toBe('repulsion.weight');
    expect(axis.values.map((value) => value.swaps['repulsion.weight'])).toEqual([0, 0.5, 0.001]);
    expect(axis.values.map((value) => value.label)).toEqual(['0', '0.5', '0.001']);
  });

  it('keeps commas inside brackets', () => {
    expect(splitTopLevel('{name: MemAE, memorySize: 5},[a, b],"x,y"')).toEqual(['{name: MemAE, memorySize: 5}', '[a, b]', '"x,y"']);
    const axis = parseVary('backbone={name: MemAE, memorySize: 5},{name: AE}');
    expect(axis.values.map((value) => value.swaps.backbone)).toEqual([{ name: 'MemAE', memorySize: 5 }, { name: 'AE' }]);
  });

  it('rejects a missing key', () => {
    expect(() => parseVary('=none,rar')).toThrow(/--vary =none,rar: expected key\.path=value1,value2, e\.g\. --vary repulsion\.name=none,rar\./);
    expect(() => parseVary('repulsion.name=none,,rar')).toThrow(/--vary repulsion\.name=none,,rar: an empty value/);
  });
});

describe('parseSeeds', () => {
  it('parses a seed list', () => {
    expect(parseSeeds('1, 2,3')).toEqual([1, 2, 3]);
  });

  it('rejects bad seeds', () => {
    expect(() => parseSeeds('1,x')).toThrow(/--seeds 1,x: expected whole numbers separated by commas/);
    expect(() => parseSeeds('1,1')).toThrow(/--seeds 1,1: a seed is repeated/);
  });
});

describe('crossProduct', () => {
  it('varies the first axis slowest', () => {
    const rows = crossProduct([parseVary('a=1,2'), parseVary('b=x,y,z')]);
    expect(rows.map((row) => row.values.map((value) => value.label).join(''))).toEqual(['1x', '1y', '1z', '2x', '2y', '2z']);
  });

  it('gives one row without axes', () => {
    expect(crossProduct([])).toEqual([{ index: 0, values: [] }]);
  });
});

describe('planAblation', () => {
  it('merges file and command line', () => {
    const file = configFile(`${BASE}
ablation:
  seeds: [1, 2]
  vary:
    repulsion.name: [none, rar]
    lr:
      variants:
        slow: { training.learningRate: 1.0e-4 }
        fast: { training.learningRate: 1.0e-3, training.epochs: 2 }
`);
    const plan = planAblation({ file, vary: ['repulsion.name=rar,kernel-cka', 'ensemble.size=1,3'], seeds: [5] });

    expect(plan.axes.map((axis) => axis.name)).toEqual(['repulsion.name', 'lr', 'ensemble.size']);
    expect(plan.seeds).toEqual([5]);
    expect(plan.cells).toHaveLength(8);
    const fast = plan.cells.find((cell) => cell.label === 'repulsion.name=kernel-cka, lr=fast, ensemble.size=1, seed 5')!;
    expect(fast.config.repulsion.name).toBe('kernel-cka');
    expect(fast.config.training).toMatchObject({ learningRate: 1e-3, epochs: 2, seed: 5 });
    expect(fast.config.ensemble.size).toBe(1);
    expect(fast.config).not.toHaveProperty('ablation');
  });

  it('makes scorers columns', () => {
    const plan = planAblation({ file: configFile(BASE), vary: ['scorers=reconstruction,dsu', 'repulsion.name=none,rar'] });
    expect(plan.scorers).toEqual(['reconstruction', 'dsu']);
    expect(plan.axes.map((axis) => axis.name)).toEqual(['repulsion.name']);
    expect(plan.cells.map((cell) => cell.seed)).toEqual([8, 8]);
  });

  it('rejects a swapped seed', () => {
    expect(() => planAblation({ file: configFile(BASE), vary: ['training.seed=1,2'] })).toThrow(
      /axis "training\.seed" swaps training\.seed; give seeds with --seeds 1,2,3 or ablation\.seeds instead/,
    );
  });

  it('rejects an invalid cell', () => {
    expect(() => planAblation({ file: configFile(BASE), vary: ['ensemble.size=2,0'] })).toThrow(
      /Invalid config in .*base\.yaml with ensemble\.size=0, seed 8:\n {2}ensemble\.size: /,
    );
  });

  it('round-trips its config hash', () => {
    const file = configFile(BASE);
    const one = planAblation({ file, vary: ['repulsion.name=none,rar'], seeds: [1, 2] });
    const two = planAblation({ file, vary: ['repulsion.name=none,rar'], seeds: [1, 2] });
    const other = planAblation({ file, vary: ['repulsion.name=none,rar'], seeds: [1, 3] });
    expect(one.configHash).toMatch(/^[0-9a-f]{12}$/);
    expect(two.configHash).toBe(one.configHash);
    expect(other.configHash).not.toBe(one.configHash);
    expectTypeOf(one).toEqualTypeOf<AblationPlan>();
  });
});

describe('trainingKey', () => {
  it('ignores scorers, backend and size', async () => {
    const container = await loadPlugins(['@d2ue/backbones', '@d2ue/repulsion', '@d2ue/uncertainty', '@d2ue/datasets']);
    const base = planAblation({ file: configFile(BASE) }).base;
    const key = trainingKey(base, container);

    expect(trainingKey(validateConfig({ ...base, scorers: ['dsu'], backend: 'wasm', ensemble: { size: 5 } }), container)).toBe(key);
    // Defaults written out change nothing: options are compared after the plug-in's schema filled them in.
    expect(trainingKey(validateConfig({ ...base, backbone: { ...base.backbone, latentSize: 16 } }), container)).toBe(key);
    expect(trainingKey(validateConfig({ ...base, repulsion: { ...base.repulsion, weight: 0.5 } }), container)).not.toBe(key);
    expect(trainingKey(validateConfig({ ...base, training: { ...base.training, seed: 9 } }), container)).not.toBe(key);
  });

  it('rejects an unknown repulsion', async () => {
    const container = await loadPlugins(['@d2ue/backbones', '@d2ue/repulsion']);
    const base = planAblation({ file: configFile(BASE) }).base;
    expect(() => trainingKey(validateConfig({ ...base, repulsion: { name: 'nope' } }), container)).toThrow(/repulsion\.name: no repulsion plug-in named "nope"/);
  });

  it('sorts keys canonically', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
});

/** Builds a two-row, two-seed plan with scorers reconstruction and output. */
function tablePlan(): AblationPlan {
  return planAblation({ file: configFile(BASE), vary: ['repulsion.name=none,rar_x'], seeds: [1, 2] });
}

describe('buildTable', () => {
  const outcomes: Record<string, CellOutcome> = {
    '0 reconstruction': { status: 'ok', auroc: 0.8, averagePrecision: 0.7 },
    '1 reconstruction': { status: 'ok', auroc: 0.9, averagePrecision: 0.75 },
    '0 output': { status: 'n/a', reason: 'needs at least 2 members, the ensemble has 1' },
    '1 output': { status: 'n/a', reason: 'needs at least 2 members, the ensemble has 1' },
    '2 reconstruction': { status: 'ok', auroc: 0.85, averagePrecision: 0.8 },
    '3 reconstruction': { status: 'failed', reason: 'repulsion.name: no repulsion plug-in named "rar_x".' },
    '2 output': { status: 'ok', auroc: 0.6, averagePrecision: 0.55 },
  };
  const table = buildTable(tablePlan(), {
    outcome: (cell, scorer) => outcomes[`${cell} ${scorer}`],
    backends: ['cpu'],
    versions: { '@d2ue/core': '0.1.0' },
    date: '2030-01-02T03:04:05.000Z',
  });

  it('gives mean and sample std', () => {
    // numpy: np.mean([0.8, 0.9]) = 0.85, np.std([0.8, 0.9], ddof=1) = 0.07071067811865474
    const cell = table.rows[0]!.cells[0]!;
    expect(cell.status).toBe('ok');
    expect(cell.mean).toBeCloseTo(0.85, 12);
    expect(cell.std).toBeCloseTo(0.07071067811865474, 12);
    expect(cell.n).toBe(2);
    expect(cell.values).toEqual([0.8, 0.9]);
  });

  it('marks failures, n/a and pending', () => {
    expect(table.rows[1]!.cells[0]).toMatchObject({ status: 'failed', note: 2 });
    expect(table.rows[0]!.cells[2]).toMatchObject({ status: 'n/a', note: 1 });
    // Seed 2 of the second row has no output result yet; seed 1's value is shown alone.
    expect(table.rows[1]!.cells[2]).toMatchObject({ status: 'ok', mean: 0.6, std: null, n: 1 });
    expect(table.notes).toEqual(['needs at least 2 members, the ensemble has 1', 'repulsion.name: no repulsion plug-in named "rar_x".']);
  });

  it('bolds the best per column', () => {
    expect(table.rows.map((row) => row.cells.map((cell) => cell.best))).toEqual([
      [true, true, false, false],
      [false, false, true, true],
    ]);
  });

  it('renders Markdown', () => {
    expect(formatAblationMarkdown(table)).toBe(
      [
        '| repulsion.name | reconstruction AUROC | reconstruction AP | output AUROC | output AP |',
        '|---|---:|---:|---:|---:|',
        '| none | **0.850 ± 0.071 (2)** | **0.725 ± 0.035 (2)** | n/a [1] | n/a [1] |',
        '| rar_x | failed [2] | failed [2] | **0.600 (1)** | **0.550 (1)** |',
        '',
        'Cells: mean ± sample standard deviation (n finished seeds) over seeds 1, 2; best mean per column in bold; "n/a": the scorer does not apply; "failed": see the note.',
        '',
        '[1] needs at least 2 members, the ensemble has 1',
        '[2] repulsion.name: no repulsion plug-in named "rar_x".',
        '',
        `Backend: cpu. Versions: @d2ue/core 0.1.0. Config: ${table.source}, sha256 ${table.configHash}.`,
        'Date: 2030-01-02T03:04:05.000Z',
        '',
      ].join('\n'),
    );
  });

  it('renders booktabs LaTeX', () => {
    const latex = formatAblationLatex(table).split('\n');
    expect(latex.slice(1, 8)).toEqual([
      '\\begin{tabular}{lrrrr}',
      '\\toprule',
      ' & \\multicolumn{2}{c}{reconstruction} & \\multicolumn{2}{c}{output} \\\\',
      '\\cmidrule(lr){2-3} \\cmidrule(lr){4-5}',
      'repulsion.name & AUROC & AP & AUROC & AP \\\\',
      '\\midrule',
      'none & \\textbf{0.850 $\\pm$ 0.071 (2)} & \\textbf{0.725 $\\pm$ 0.035 (2)} & n/a [1] & n/a [1] \\\\',
    ]);
    expect(latex[8]).toBe('rar\\_x & failed [2] & failed [2] & \\textbf{0.600 (1)} & \\textbf{0.550 (1)} \\\\');
    expect(latex[9]).toBe('\\bottomrule');
    expect(latex[11]).toBe('\\multicolumn{5}{l}{\\footnotesize [2] repulsion.name: no repulsion plug-in named "rar\\_x".} \\\\');
  });

  it('renders CSV with statuses', () => {
    const lines = formatAblationCsv(table).split('\n');
    expect(lines[0]).toBe(
      'repulsion.name,reconstruction AUROC mean,reconstruction AUROC std,reconstruction AUROC n,reconstruction AP mean,reconstruction AP std,reconstruction AP n,' +
        'output AUROC mean,output AUROC std,output AUROC n,output AP mean,output AP std,output AP n,reconstruction status,output status',
    );
    expect(lines[2]).toBe('rar_x,,,0,,,0,0.6,,1,0.55,,1,"failed: repulsion.name: no repulsion plug-in named ""rar_x"".",ok');
    expect(lines.at(-2)).toBe('# Date: 2030-01-02T03:04:05.000Z');
  });
});

describe('formatTimeSpan', () => {
  it('scales its unit', () => {
    expect([45, 725, 7500, 190_000].map(formatTimeSpan)).toEqual(['45 s', '12 min 5 s', '2 h 5 min', '2 d 5 h']);
  });

  it('extrapolates the ETA', () => {
    const eta = new EtaClock(4);
    expect(eta.remaining()).toBeNull();
    eta.computed(10);
    eta.computed(20);
    expect(eta.remaining()).toBe(30);
  });
});

describe('defaultAblationDir', () => {
  it('keeps safe characters only', () => {
    expect(defaultAblationDir('configs/my grid (v2).yaml')).toBe(join('ablations', 'my-grid--v2-'));
  });
});
