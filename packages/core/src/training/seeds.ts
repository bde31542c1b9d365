import { deriveSeed } from '../random.js';

/** The seeds of one learner, each its own stream so that no purpose shifts another's numbers. */
export interface MemberSeeds {
  /** Weight initialisation. */
  readonly init: string;

  /** The order of the training images in each epoch. */
  readonly shuffle: string;
}

/**
 * Derives the seeds of learner `member` of a run with seed `runSeed`, e.g. `8/member/1/init`. Every learner gets
 * different seeds, so no two start as clones, and the same run seed always gives the same seeds.
 */
export function memberSeeds(runSeed: number | string, member: number): MemberSeeds {
  return { init: deriveSeed(runSeed, 'member', member, 'init'), shuffle: deriveSeed(runSeed, 'member', member, 'shuffle') };
}
