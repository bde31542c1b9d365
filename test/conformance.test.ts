import { aeBackbone, aeUBackbone, backbones, register as registerBackbones } from '@d2ue/backbones';
import type { Backbone, BackboneDescriptor, RepulsionDescriptor, ScorerDescriptor } from '@d2ue/core';
import { describeBackboneConformance, describeDatasetConformance, describeRepulsionConformance, describeScorerConformance } from '@d2ue/core/testing';
import { mnistBuilder, register as registerDatasets } from '@d2ue/datasets';
import { register as registerRepulsion, repulsionTerms } from '@d2ue/repulsion';
import { register as registerScorers, scorers } from '@d2ue/uncertainty';

/**
 * Every built-in plug-in passes the conformance kit (@d2ue/core/testing) that third-party packages run: backbones
 * in the tiny profile, every repulsion term @d2ue/repulsion registers, every scorer on AE and on AE-U members, and
 * the MNIST dataset builder.
 */

// The tiny test profile (docs/design.md).
const TINY = { imageSize: 32, widthMultiplier: 0.25, bottleneckWidth: 64 };

for (const descriptor of backbones as readonly BackboneDescriptor[]) {
  describeBackboneConformance(descriptor, { options: TINY, register: registerBackbones });
}

for (const descriptor of repulsionTerms as readonly RepulsionDescriptor[]) {
  describeRepulsionConformance(descriptor, { register: registerRepulsion });
}

/** Three tiny learners of one backbone, with the seeds the trainer would give members 0..2. */
function members(descriptor: BackboneDescriptor): () => Backbone[] {
  const options = descriptor.options.parse(TINY);
  return () => [0, 1, 2].map((member) => descriptor.create(options, { seed: `8/member/${member}/init` }));
}

for (const descriptor of scorers as readonly ScorerDescriptor[]) {
  describeScorerConformance(descriptor, { members: members(aeBackbone), register: registerScorers });
}

// AE-U members take the variance-weighted path of each scorer.
const aeU = members(aeUBackbone);
for (const descriptor of scorers as readonly ScorerDescriptor[]) {
  describeScorerConformance(descriptor, { members: aeU, batchSizes: [2] });
}

describeDatasetConformance(mnistBuilder, { options: { train: 32, testNormal: 8, testAbnormal: 8 }, register: registerDatasets });
