/** @d2ue/repulsion: repulsion terms that decorrelate the learners of a D2UE ensemble. */

// The linear CKA kernel lives in @d2ue/core (the run diagnostic uses it too); re-exported for existing imports.
export { CKA_EPSILON, centredGram, hsic, linearCka } from '@d2ue/core';

export { NoRepulsion } from './none/none.js';
export { noneRepulsion } from './none/descriptor.js';
export { NoneOptionsSchema, type NoneOptions } from './none/options.js';

export { Rar } from './rar/rar.js';
export { rarRepulsion } from './rar/descriptor.js';
export { RarOptionsSchema, type RarOptions } from './rar/options.js';

export { BANDWIDTH_FLOOR, centreKernel, kernelCka, medianBandwidth, rbfGram, squaredDistances, type Bandwidth } from './kernel-cka/rbf-cka.js';
export { KernelCka } from './kernel-cka/kernel-cka.js';
export { kernelCkaRepulsion } from './kernel-cka/descriptor.js';
export { KernelCkaOptionsSchema, type KernelCkaOptions } from './kernel-cka/options.js';

export { COSINE_EPSILON, Cosine, meanCosine } from './cosine/cosine.js';
export { cosineRepulsion } from './cosine/descriptor.js';
export { CosineOptionsSchema, type CosineOptions } from './cosine/options.js';

export { L2, gaussianSimilarity } from './l2/l2.js';
export { l2Repulsion } from './l2/descriptor.js';
export { L2OptionsSchema, type L2Options } from './l2/options.js';

export { CORRELATION_EPSILON, NegativeCorrelation, residualCorrelation } from './negative-correlation/negative-correlation.js';
export { negativeCorrelationRepulsion } from './negative-correlation/descriptor.js';
export { NegativeCorrelationOptionsSchema, type NegativeCorrelationOptions } from './negative-correlation/options.js';

export { assertBatchSize, assertSameShape, meanOverSeniors, type BatchRequirement, type PairTerm } from './shared/pairwise.js';
export { register, repulsionTerms } from './register.js';
