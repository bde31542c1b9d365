import type * as tf from '@tensorflow/tfjs-core';
import type seedrandom from 'seedrandom';

import type { Backbone } from '../contracts/backbone.js';
import type { OptimizerSnapshot } from './adam-state.js';

/** The losses of one epoch, averaged over its steps. */
export interface EpochRecord {
  readonly member: number;
  readonly epoch: number;
  readonly steps: number;
  readonly loss: number;
  readonly backboneLoss: number;
  readonly repulsion: number;
  readonly seconds: number;
}

/** Running sums over the completed steps of the epoch in progress. */
export interface EpochSums {
  readonly total: number;
  readonly backbone: number;
  readonly repulsion: number;

  /** Wall time spent on those steps, so an epoch split by a stop still reports its whole duration. */
  readonly seconds: number;
}

/** Sums of an epoch with no step done yet. */
export const EMPTY_SUMS: EpochSums = { total: 0, backbone: 0, repulsion: 0, seconds: 0 };

/**
 * The training position of one learner, as plain data. Together with its weights and Adam state it is enough to
 * continue bit for bit, because the order of the epoch in progress is drawn again from the saved shuffling state.
 */
export interface MemberProgress {
  readonly member: number;

  /** Completed epochs, i.e. the 0-based index of the epoch in progress. */
  readonly epoch: number;

  /** Completed steps of epoch `epoch`; 0 at an epoch boundary. */
  readonly step: number;

  /** The shuffling stream's state before it drew the order of epoch `epoch`. */
  readonly shuffleState: seedrandom.State.Arc4;

  /** Loss sums over the first `step` steps of epoch `epoch`. */
  readonly partial: EpochSums;

  /** One record per completed epoch. */
  readonly metrics: readonly EpochRecord[];
}

/** The state the trainer passes to its checkpoint hook. The trainer keeps ownership of the tensors. */
export interface LiveCheckpoint {
  readonly progress: MemberProgress;
  readonly junior: Backbone;
  readonly optimizer: tf.AdamOptimizer;
}

/** A saved checkpoint, loaded back: the learner's state dict (caller-owned tensors) and its Adam state. */
export interface ResumePoint {
  readonly progress: MemberProgress;
  readonly weights: Map<string, tf.Tensor>;
  readonly optimizer: OptimizerSnapshot;
}
