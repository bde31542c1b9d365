/** @d2ue/repulsion: repulsion terms that decorrelate the learners of a D2UE ensemble. */
export { CKA_EPSILON, centredGram, hsic, linearCka } from './cka/linear-cka.js';
export { NoRepulsion, NoneOptionsSchema, noneRepulsion } from './none/none.js';
export { Rar } from './rar/rar.js';
export { rarRepulsion } from './rar/descriptor.js';
export { RarOptionsSchema, type RarOptions } from './rar/options.js';
export { register, repulsionTerms } from './register.js';
