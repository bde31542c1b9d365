import * as tf from '@tensorflow/tfjs-core';

import type { TrainingSection } from '../config/schema.js';
import type { Backbone } from '../contracts/backbone.js';
import type { ImageSet } from '../contracts/dataset.js';
import type { RepulsionLoss } from '../contracts/repulsion.js';
import { D2ueError } from '../errors.js';
import { createRng, deriveSeed, permutation } from '../random.js';
import { gatherBatch } from './batches.js';
import { trainingStep, type StepLosses } from './step.js';

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

/** What the trainer reports while it runs. */
export interface TrainingObserver {
  onMemberStart?(member: number, stepsPerEpoch: number): void;
  onStep?(member: number, epoch: number, step: number, losses: StepLosses): void;
  onEpochEnd?(record: EpochRecord): void;

  /** Called once a member is trained; it becomes a senior right after. */
  onMemberEnd?(member: number, backbone: Backbone): void | Promise<void>;
}

/** The trainer's inputs. */
export interface EnsemblePlan {
  /** Builds learner `member` with its own initialisation seed. */
  readonly createMember: (member: number) => Backbone;
  readonly repulsion: RepulsionLoss;

  /** λ. */
  readonly weight: number;
  readonly tap: number;
  readonly ensembleSize: number;
  readonly training: TrainingSection;
  readonly train: ImageSet;
}

/**
 * Trains K learners one after another (D2UE, Sec. 3.2): learner 0 alone, learner i with learners 0..i-1 frozen as
 * seniors. Each learner gets its own Adam state and its own shuffling stream; the last partial batch of an epoch
 * is dropped, as the official loader does (`drop_last=True`). Returns the trained learners in order.
 */
export async function trainEnsemble(plan: EnsemblePlan, observer: TrainingObserver = {}): Promise<Backbone[]> {
  const { training, train, repulsion } = plan;
  validatePlan(plan);

  const members: Backbone[] = [];
  const stepsPerEpoch = Math.floor(train.ids.length / training.batchSize);
  for (let member = 0; member < plan.ensembleSize; member++) {
    observer.onMemberStart?.(member, stepsPerEpoch);
    const junior = plan.createMember(member);
    const optimizer = tf.train.adam(training.learningRate, training.betas[0], training.betas[1], training.adamEpsilon);
    const shuffle = createRng(deriveSeed(training.seed, 'member', member, 'shuffle'));

    for (let epoch = 0; epoch < training.epochs; epoch++) {
      const started = performance.now();
      const order = permutation(train.ids.length, shuffle);
      const sums = { total: 0, backbone: 0, repulsion: 0 };

      for (let step = 0; step < stepsPerEpoch; step++) {
        const batch = gatherBatch(train, order.subarray(step * training.batchSize, (step + 1) * training.batchSize));
        const losses = trainingStep({
          junior,
          seniors: members,
          batch,
          repulsion,
          weight: plan.weight,
          tap: plan.tap,
          optimizer,
        });
        batch.dispose();
        assertFinite(losses, member, epoch, step);
        sums.total += losses.total;
        sums.backbone += losses.backbone;
        sums.repulsion += losses.repulsion;
        observer.onStep?.(member, epoch, step, losses);
      }

      observer.onEpochEnd?.({
        member,
        epoch,
        steps: stepsPerEpoch,
        loss: sums.total / stepsPerEpoch,
        backboneLoss: sums.backbone / stepsPerEpoch,
        repulsion: sums.repulsion / stepsPerEpoch,
        seconds: (performance.now() - started) / 1000,
      });
    }

    optimizer.dispose();
    members.push(junior);
    await observer.onMemberEnd?.(member, junior);
  }
  return members;
}

function validatePlan({ training, train, repulsion, ensembleSize }: EnsemblePlan): void {
  if (train.ids.length < training.batchSize) {
    throw new D2ueError(
      'config',
      `training.batchSize: the training split has ${train.ids.length} images, fewer than one batch of ${training.batchSize}; ` +
        'the last partial batch is dropped, so no step would run. Lower training.batchSize or add training images.',
      { subject: 'training.batchSize' },
    );
  }
  if (ensembleSize > 1 && training.batchSize < repulsion.minBatchSize) {
    throw new D2ueError(
      'config',
      `training.batchSize: repulsion "${repulsion.id}" needs batches of at least ${repulsion.minBatchSize} images, got ${training.batchSize}. ` +
        'Raise training.batchSize or use repulsion.name: none.',
      { subject: 'training.batchSize' },
    );
  }
}

function assertFinite(losses: StepLosses, member: number, epoch: number, step: number): void {
  if (!Number.isFinite(losses.total)) {
    throw new D2ueError(
      'run',
      `Member ${member}, epoch ${epoch + 1}, step ${step + 1}: the loss is ${losses.total} (backbone ${losses.backbone}, repulsion ${losses.repulsion}). ` +
        'Lower training.learningRate or check the input intensities.',
    );
  }
}
