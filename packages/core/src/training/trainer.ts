import type { TrainingSection } from '../config/schema.js';
import type { Backbone } from '../contracts/backbone.js';
import type { ImageSet } from '../contracts/dataset.js';
import type { RepulsionLoss } from '../contracts/repulsion.js';
import { D2ueError } from '../errors.js';
import { trainMember } from './member.js';
import type { EpochRecord, LiveCheckpoint, ResumePoint } from './progress.js';
import type { StepLosses } from './step.js';

/** The epoch and step a learner's training begins at: 0 and 0 for a fresh learner, later for a resumed one. */
export interface StartPoint {
  readonly epoch: number;
  readonly step: number;
}

/** Hooks the trainer calls while it runs. */
export interface TrainingObserver {
  /** Called before learner `member` trains, with its steps per epoch and where it starts (later for a resumed one). */
  onMemberStart?(member: number, stepsPerEpoch: number, start: StartPoint): void;
  /** Called after every optimizer step with the step's losses. */
  onStep?(member: number, epoch: number, step: number, losses: StepLosses): void;

  /** Called after the epoch's checkpoint (if one is due) is saved. */
  onEpochEnd?(record: EpochRecord): void;

  /** Called once a member is trained; it becomes a senior right after. */
  onMemberEnd?(member: number, backbone: Backbone): void | Promise<void>;
}

/** The trainer's inputs. */
export interface EnsemblePlan {
  /** Builds learner `member` with its own initialisation seed (see `memberSeeds`). */
  readonly createMember: (member: number) => Backbone;
  readonly repulsion: RepulsionLoss;

  /** λ. */
  readonly weight: number;
  readonly tap: number;
  readonly ensembleSize: number;
  readonly training: TrainingSection;
  readonly train: ImageSet;

  /**
   * Learners a previous, interrupted run already finished (members 0..n-1, in order). They are seniors from the
   * start and training begins with member n. The trainer takes ownership: it returns them, or frees them on a throw.
   */
  readonly finished?: readonly Backbone[];

  /** The checkpoint member `finished.length` continues from. The caller frees its weights. */
  readonly resume?: ResumePoint;

  /** Saves a checkpoint. The tensors it receives are valid only until it returns. */
  readonly checkpoint?: (state: LiveCheckpoint) => void | Promise<void>;

  /** A stop request, checked between steps. Once it is aborted, the trainer saves a checkpoint and throws `TrainingStopped`. */
  readonly signal?: AbortSignal;
}

/**
 * Trains K learners one after another (D2UE, Sec. 3.2): learner 0 alone, learner i with learners 0..i-1 frozen as
 * seniors. Each learner gets its own Adam state and its own shuffling stream. Returns every learner in order,
 * including `plan.finished`.
 *
 * @throws D2ueError `config` when the split contains less than one batch or the batch is too small for the repulsion
 *   term; `TrainingStopped` after a requested stop.
 */
export async function trainEnsemble(plan: EnsemblePlan, observer: TrainingObserver = {}): Promise<Backbone[]> {
  const members: Backbone[] = [...(plan.finished ?? [])];
  try {
    validatePlan(plan);
    for (let member = members.length; member < plan.ensembleSize; member++) {
      const resume = plan.resume?.progress.member === member ? plan.resume : undefined;
      const junior = await trainMember(plan, member, members, resume, observer);
      members.push(junior);
      await observer.onMemberEnd?.(member, junior);
    }
    return members;
  } catch (error) {
    for (const member of members) member.dispose();
    throw error;
  }
}

function validatePlan({ training, train, repulsion, ensembleSize, finished, resume }: EnsemblePlan): void {
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
  const next = finished?.length ?? 0;
  if (resume && resume.progress.member !== next) {
    throw new D2ueError('run', `The checkpoint is of member ${resume.progress.member}, but training continues with member ${next}.`);
  }
}
