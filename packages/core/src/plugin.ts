import type { z } from 'zod';

import type { Backbone } from './contracts/backbone.js';
import type { DatasetBuilder, DatasetLoader } from './contracts/dataset.js';
import type { RepulsionLoss } from './contracts/repulsion.js';
import type { UncertaintyScorer } from './contracts/scorer.js';
import type { PluginKind } from './tokens.js';

/**
 * What every plug-in declares beside its behaviour: an id, its kind, a one-line summary and the zod schema of its
 * options (the only home of its defaults). Tools list, validate and document a plug-in from this alone.
 */
export interface PluginMeta<K extends PluginKind, S extends z.ZodType> {
  readonly kind: K;

  /** The id used in configs and tokens, e.g. `AE`, `rar`, `dsu`. */
  readonly id: string;

  /** One line for `d2ue plugins` and the docs. */
  readonly summary: string;

  /** The options schema; strict, so a misspelt option is an error. */
  readonly options: S;
}

/** Context a backbone is built in. */
export interface BackboneContext {
  /** The seed of this learner's initialisation (derived from the run seed). */
  readonly seed: string;
}

/** A backbone plug-in (`backbone:<id>`): builds the learners of an ensemble. */
export interface BackboneDescriptor<S extends z.ZodType = z.ZodType> extends PluginMeta<'backbone', S> {
  /** Builds one learner from its parsed options; the same options and seed give the same initial weights. */
  create(options: z.output<S>, context: BackboneContext): Backbone;

  /** The image side the backbone built from `options` expects, so data is prepared before any learner exists. */
  imageSize(options: z.output<S>): number;
}

/** A repulsion term plug-in (`repulsion:<id>`): the term R of L_i = L_backbone + λ · mean_j R(F_i, F_j). */
export interface RepulsionDescriptor<S extends z.ZodType = z.ZodType> extends PluginMeta<'repulsion', S> {
  /** Builds the repulsion term from its parsed options. */
  create(options: z.output<S>): RepulsionLoss;
}

/** A scorer plug-in (`scorer:<id>`): turns the members' outputs into pixel maps and image scores. */
export interface ScorerDescriptor<S extends z.ZodType = z.ZodType> extends PluginMeta<'scorer', S> {
  /** Builds the scorer from its parsed options. */
  create(options: z.output<S>): UncertaintyScorer;
}

/** Context a dataset builder is made in. */
export interface DatasetContext {
  /** The side of the images it writes. */
  readonly imageSize: number;

  /** Seed for any sampling the builder does. */
  readonly seed: string;
}

/** A dataset builder plug-in (`dataset:<id>`): writes a Med-AD folder for `demo`, `prepare` and `data.builder`. */
export interface DatasetDescriptor<S extends z.ZodType = z.ZodType> extends PluginMeta<'dataset', S> {
  /** Builds the dataset builder from its parsed options, the image size and the seed. */
  create(options: z.output<S>, context: DatasetContext): DatasetBuilder;
}

/** A loader plug-in (`loader:<id>`): reads a Med-AD folder into memory. */
export interface LoaderDescriptor<S extends z.ZodType = z.ZodType> extends PluginMeta<'loader', S> {
  /** Builds the loader from its parsed options. */
  create(options: z.output<S>): DatasetLoader;
}

/** The host a command plug-in adds itself to: the CLI program and the container it runs with. */
export interface CommandHost {
  /** The commander program (`d2ue`); a command adds its sub-command here. */
  readonly program: import('commander').Command;
}

/** A command plug-in (`command:<id>`): adds a sub-command to the `d2ue` CLI. */
export interface CommandDescriptor<S extends z.ZodType = z.ZodType> extends PluginMeta<'command', S> {
  /** Adds the sub-command to the CLI. */
  install(host: CommandHost): void;
}

/** Any plug-in descriptor. */
export type PluginDescriptor =
  | BackboneDescriptor
  | RepulsionDescriptor
  | ScorerDescriptor
  | DatasetDescriptor
  | LoaderDescriptor
  | CommandDescriptor;

/** The descriptor type of one kind. */
export type DescriptorOf<K extends PluginKind> = Extract<PluginDescriptor, { kind: K }>;
