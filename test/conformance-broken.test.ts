import { selectBackend, type Backbone } from '@d2ue/core';
import {
  BACKBONE_CHECKS,
  ConformanceError,
  REPULSION_CHECKS,
  SCORER_CHECKS,
  checkRegistered,
  type ConformanceRule,
} from '@d2ue/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  BACKBONE_DEFECTS,
  REPULSION_DEFECTS,
  SCORER_DEFECTS,
  brokenBackbone,
  brokenRepulsion,
  brokenScorer,
  register,
  registerUnderAnotherId,
  type BackboneDefect,
  type RepulsionDefect,
  type ScorerDefect,
} from './fixtures/broken-plugin/index.js';

/**
 * The conformance kit fails a deliberately broken plug-in (test/fixtures/broken-plugin) with a ConformanceError
 * whose message starts with the broken rule, and passes the same plug-in without its defect.
 */

beforeAll(async () => {
  await selectBackend('cpu');
});

/** Runs `check` and returns the ConformanceError it throws. */
function failure(check: () => unknown): ConformanceError {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(ConformanceError);
    return error as ConformanceError;
  }
  throw new Error('the check passed, but it should have failed');
}

type Expectation = readonly [ConformanceRule, RegExp];

const backboneFailures: Record<Exclude<BackboneDefect, 'none'>, Expectation> = {
  'loose options schema': ['options schema', /the schema accepts the unknown key "conformanceUnknownOption"; use z\.strictObject/],
  'wrong id': ['matching id', /the backbone's id is "linear-ae-renamed", expected "linear-ae"\./],
  'wrong output shape': ['output shapes and dtypes', /the inference reconstruction at batch 1 has shape \[1,8,8\], expected \[1,8,8,1\]/],
  'ignores the seed': ['determinism under a seed', /the reconstruction of two backbones built with seed "conformance" differs by up to/],
  'leaks intermediates': ['no tensor leaks', /apply\(\) in inference mode, outputs disposed changed the number of live tensors from \d+ to \d+/],
  'NaN on constant input': ['finite values and gradients on edge inputs', /the reconstruction on zeros input contains NaN at flat index 0/],
  'loads only some weights': ['save and load round trip', /weight "decoder\.weight" differs by up to/],
  'accepts any weights': ['strict state dict', /loadStateDict of weights without "encoder\.weight" accepted it\./],
};

const repulsionFailures: Record<Exclude<RepulsionDefect, 'none'>, Expectation> = {
  'sums over seniors': ['mean over seniors', /the value for two seniors is [-\d.e]+, but the mean of the values for each alone is/],
  'nonzero without seniors': ['zero without seniors', /the value without seniors is 1, expected 0\./],
  'returns a vector': ['output shapes and dtypes', /the value at batch 2, width 3, 1 senior\(s\) has shape \[1\], expected \[\]/],
  'leaks intermediates': ['no tensor leaks', /compute\(\), value disposed changed the number of live tensors/],
  'NaN on constant features': ['finite values and gradients on edge inputs', /the value with zeros as the junior's features and reconstruction contains NaN/],
  'accepts small batches': ['minimum batch size', /a batch of 1 \(below minBatchSize 2\) was accepted/],
};

const scorerFailures: Record<Exclude<ScorerDefect, 'none'>, Expectation> = {
  'scores of rank 2': ['output shapes and dtypes', /imageScores at batch 1 has shape \[1,1\], expected \[1\]/],
  'pixel maps unasked': ['pixel maps on request', /score\(\) returned pixelMaps although options\.pixelMaps was not set/],
  'image score is the maximum': ['image score is the pixel-map mean', /imageScores against the pixel-map means differs by up to/],
  'normalises by the batch': ['batch independence', /the image scores of a batch of 3 against each image scored alone differs by up to/],
  'leaks intermediates': ['no tensor leaks', /score\(\) without pixel maps, result disposed changed the number of live tensors/],
  'NaN on zero input': ['finite values and gradients on edge inputs', /imageScores on zeros input contains NaN/],
  'ignores minMembers': ['minimum members', /1 member\(s\), below minMembers 2, were accepted/],
};

function checkOf<C>(checks: ReadonlyArray<readonly [ConformanceRule, C]>, rule: ConformanceRule): C {
  const found = checks.find(([name]) => name === rule);
  if (found === undefined) throw new Error(`no check for rule "${rule}"`);
  return found[1];
}

function expectRule(error: ConformanceError, plugin: string, [rule, detail]: Expectation): void {
  expect(error.rule).toBe(rule);
  expect(error.code).toBe('plugin');
  expect(error.message.startsWith(`rule: ${rule} — ${plugin}: `)).toBe(true);
  expect(error.message).toMatch(detail);
}

const members = (): Backbone[] => {
  const descriptor = brokenBackbone('none');
  return [0, 1, 2].map((member) => descriptor.create(descriptor.options.parse({}), { seed: `member/${member}` }));
};

describe('broken backbone', () => {
  it('passes every rule intact', () => {
    for (const [, check] of BACKBONE_CHECKS) check(brokenBackbone('none'));
  });

  for (const defect of BACKBONE_DEFECTS.filter((name) => name !== 'none')) {
    it(`fails on ${defect}`, () => {
      const expectation = backboneFailures[defect];
      const error = failure(() => checkOf(BACKBONE_CHECKS, expectation[0])(brokenBackbone(defect)));
      expectRule(error, 'backbone "linear-ae"', expectation);
    });
  }

  it('fails under another id', () => {
    expect(checkRegistered(register, 'backbone', 'linear-ae').id).toBe('linear-ae');

    const error = failure(() => checkRegistered(registerUnderAnotherId, 'backbone', 'linear-ae'));
    expectRule(error, 'backbone "linear-ae"', ['registration under its token', /threw D2ueError: backbone: no backbone plug-in named "linear-ae"\. Registered: linear-ae-v2\./]);
  });
});

describe('broken repulsion term', () => {
  it('passes every rule intact', () => {
    for (const [, check] of REPULSION_CHECKS) check(brokenRepulsion('none'));
  });

  for (const defect of REPULSION_DEFECTS.filter((name) => name !== 'none')) {
    it(`fails on ${defect}`, () => {
      const expectation = repulsionFailures[defect];
      const error = failure(() => checkOf(REPULSION_CHECKS, expectation[0])(brokenRepulsion(defect)));
      expectRule(error, 'repulsion "product"', expectation);
    });
  }
});

describe('broken scorer', () => {
  it('passes every rule intact', () => {
    for (const [, check] of SCORER_CHECKS) check(brokenScorer('none'), { members });
  });

  for (const defect of SCORER_DEFECTS.filter((name) => name !== 'none')) {
    it(`fails on ${defect}`, () => {
      const expectation = scorerFailures[defect];
      const error = failure(() => checkOf(SCORER_CHECKS, expectation[0])(brokenScorer(defect), { members }));
      expectRule(error, 'scorer "mean-error"', expectation);
    });
  }
});
