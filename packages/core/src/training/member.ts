import * as tf from '@tensorflow/tfjs-core';

import type { Backbone } from '../contracts/backbone.js';
import { D2ueError } from '../errors.js';
import { createRng, permutation } from '../random.js';
import { restoreAdam } from './adam-state.js';
import { gatherBatch } from './batches.js';
import { EMPTY_SUMS, type EpochRecord, type EpochSums, type MemberProgress, type ResumePoint } from './progress.js';
import { memberSeeds } from './seeds.js';
import { trainingStep, type StepLosses } from './step.js';
import { TrainingStopped, yieldToEventLoop } from './stop.js';
import type { EnsemblePlan, TrainingObserver } from './trainer.js';

/**
 * Trains learner `member` next to its frozen `seniors`, from scratch or from `resume`, and returns it.
 *
 * Each epoch draws a fresh order from the learner's own shuffling stream and drops the last partial batch, as the
 * official loader does (`drop_last=True`). A checkpoint is saved every `training.checkpointEvery` epochs and after
 * the last one; when `plan.signal` is aborted, the current step finishes, a checkpoint is saved and
 * {@link TrainingStopped} is thrown. The learner and its optimizer are freed on any throw.
 */
export async function trainMember(
  plan: EnsemblePlan,
  member: number,
  seniors: readonly Backbone[],
  resume: ResumePoint | undefined,
  observer: TrainingObserver,
): Promise<Backbone> {
  const { training, train } = plan;
  const stepsPerEpoch = Math.floor(train.ids.length / training.batchSize);
  const junior = plan.createMember(member);
  const optimizer = tf.train.adam(training.learningRate, training.betas[0], training.betas[1], training.adamEpsilon);

  try {
    const start = resume ? resume.progress : freshProgress(training.seed, member);
    if (resume) {
      junior.loadStateDict(resume.weights);
      await restoreAdam(optimizer, resume.optimizer, junior.trainableVariables(), `member ${member}'s checkpoint`);
    }
    observer.onMemberStart?.(member, stepsPerEpoch, { epoch: start.epoch, step: start.step });

    const shuffle = createRng(memberSeeds(training.seed, member).shuffle, start.shuffleState);
    const metrics: EpochRecord[] = [...start.metrics];
    let step = start.step;
    let sums: EpochSums = start.partial;

    // Whether steps ran since the last checkpoint; a stop right after one has nothing new to save.
    let unsaved = false;
    const save = async (progress: Omit<MemberProgress, 'member'>): Promise<void> => {
      await plan.checkpoint?.({ progress: { member, ...progress }, junior, optimizer });
      unsaved = false;
    };

    for (let epoch = start.epoch; epoch < training.epochs; epoch++) {
      const shuffleState = shuffle.state();
      const order = permutation(train.ids.length, shuffle);

      for (; step < stepsPerEpoch; step++) {
        await yieldToEventLoop();
        if (plan.signal?.aborted) {
          if (unsaved) await save({ epoch, step, shuffleState, partial: sums, metrics });
          const saved = epoch > 0 || step > 0;
          throw new TrainingStopped({ member, epoch, step, saved, reason: String(plan.signal.reason ?? 'abort') });
        }

        const started = performance.now();
        const batch = gatherBatch(train, order.subarray(step * training.batchSize, (step + 1) * training.batchSize));
        let losses: StepLosses;
        try {
          losses = trainingStep({ junior, seniors, batch, repulsion: plan.repulsion, weight: plan.weight, tap: plan.tap, optimizer });
        } finally {
          batch.dispose();
        }
        assertFinite(losses, member, epoch, step);
        unsaved = true;
        sums = {
          total: sums.total + losses.total,
          backbone: sums.backbone + losses.backbone,
          repulsion: sums.repulsion + losses.repulsion,
          seconds: sums.seconds + (performance.now() - started) / 1000,
        };
        observer.onStep?.(member, epoch, step, losses);
      }

      const record: EpochRecord = {
        member,
        epoch,
        steps: stepsPerEpoch,
        loss: sums.total / stepsPerEpoch,
        backboneLoss: sums.backbone / stepsPerEpoch,
        repulsion: sums.repulsion / stepsPerEpoch,
        seconds: sums.seconds,
      };
      metrics.push(record);
      step = 0;
      sums = EMPTY_SUMS;

      // The checkpoint goes first, so once an epoch is reported it can no longer be lost.
      const done = epoch + 1;
      if (done % training.checkpointEvery === 0 || done === training.epochs) {
        await save({ epoch: done, step: 0, shuffleState: shuffle.state(), partial: EMPTY_SUMS, metrics });
      }
      observer.onEpochEnd?.(record);
    }

    optimizer.dispose();
    return junior;
  } catch (error) {
    optimizer.dispose();
    junior.dispose();
    throw error;
  }
}

/** Builds the progress of a learner that has not started: epoch 0, with its shuffling stream fresh from its seed. */
function freshProgress(runSeed: number, member: number): MemberProgress {
  return {
    member,
    epoch: 0,
    step: 0,
    shuffleState: createRng(memberSeeds(runSeed, member).shuffle).state(),
    partial: EMPTY_SUMS,
    metrics: [],
  };
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
