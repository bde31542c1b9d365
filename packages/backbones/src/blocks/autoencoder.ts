import * as tf from '@tensorflow/tfjs-core';
import { D2ueError, assertShape } from '@d2ue/core';

import { BatchNorm } from './batch-norm.js';
import { ConvTranspose2d } from './conv-transpose2d.js';
import { Conv2d } from './conv2d.js';
import type { Layer } from './layer.js';
import { Linear } from './linear.js';

/** The architecture shared by AE, MemAE and AE-U (official models/ae.py with BasicBlock, one layer per block). */
export interface AutoencoderArgs {
  readonly imageSize: number;
  readonly widthMultiplier: number;
  readonly latentSize: number;
  readonly bottleneckWidth: number;
  readonly batchNormMomentum: number;
  readonly batchNormEpsilon: number;

  /** 1 for AE and MemAE; 2 for AE-U (mean and log-variance). */
  readonly outputChannels: number;
}

/** The number of feature taps: 0..3 encoder blocks, 4 z, 5 bottleneck output, 6..8 decoder blocks. */
export const TAP_COUNT = 9;

/** The intermediate tensors of one pass, before flattening for the taps. */
export interface AutoencoderPass {
  /** Taps 0..8 as produced (NHWC maps or [B, D] vectors). */
  readonly taps: readonly tf.Tensor[];

  /** The last layer's output, [B, H, W, outputChannels]. */
  readonly output: tf.Tensor4D;
}

/** A hook between encoder and decoder: MemAE replaces z by its memory read-out here. */
export type LatentTransform = (z: tf.Tensor2D, training: boolean) => tf.Tensor2D;

/** One convolution (or transposed convolution) block: conv → BN → ReLU, or the bare conv for the output layer. */
class ConvBlock {
  constructor(
    readonly conv: Conv2d | ConvTranspose2d,
    readonly norm: BatchNorm | undefined,
  ) {}

  /** Runs the layer on `x`; the caller disposes the result (call it inside `tf.tidy`). */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const y = this.conv.apply(x);
    return this.norm ? tf.relu(this.norm.apply(y, training)) : y;
  }

  layers(prefix: string): Array<[string, Layer]> {
    const named: Array<[string, Layer]> = [[`${prefix}model.0.`, this.conv]];
    if (this.norm) named.push([`${prefix}model.1.`, this.norm]);
    return named;
  }
}

/**
 * The D2UE convolutional autoencoder: 4 × [Conv 4×4 s2 p1 → BN → ReLU] with 16m, 32m, 64m, 64m channels;
 * Linear(→2048) → BN → ReLU → Linear(→latent) = z → Linear(→2048) → BN → ReLU → Linear(→64m·(S/16)²); four
 * transposed convs mirroring the encoder, the last without BN and ReLU. Parameter names follow the official
 * state dict (`en_block1.model.0.weight`, `bottle_neck.linear_enc.0.weight`, ...).
 */
export class AutoencoderNetwork {
  readonly args: AutoencoderArgs;
  readonly channels: readonly [number, number, number, number];
  readonly featureSize: number;

  private readonly encoder: ConvBlock[];
  private readonly decoder: ConvBlock[];
  private readonly linearEnc: [Linear, BatchNorm, Linear];
  private readonly linearDec: [Linear, BatchNorm, Linear];

  constructor(args: AutoencoderArgs, seed: string) {
    validate(args);
    this.args = { ...args };
    const base = 16 * args.widthMultiplier;
    this.channels = [base, 2 * base, 4 * base, 4 * base];
    this.featureSize = args.imageSize / 16;

    const bn = (features: number): BatchNorm =>
      new BatchNorm({ features, momentum: args.batchNormMomentum, epsilon: args.batchNormEpsilon });
    const [c1, c2, c3, c4] = this.channels;

    const down = (i: number, from: number, to: number): ConvBlock =>
      new ConvBlock(new Conv2d({ inChannels: from, outChannels: to, kernelSize: 4, stride: 2, padding: 1 }, `${seed}/en${i}`), bn(to));
    const up = (i: number, from: number, to: number, last = false): ConvBlock =>
      new ConvBlock(
        new ConvTranspose2d({ inChannels: from, outChannels: to, kernelSize: 4, stride: 2, padding: 1 }, `${seed}/de${i}`),
        last ? undefined : bn(to),
      );

    this.encoder = [down(1, 1, c1), down(2, c1, c2), down(3, c2, c3), down(4, c3, c4)];

    const map = { channels: c4, size: this.featureSize };
    const flat = c4 * this.featureSize * this.featureSize;
    const { bottleneckWidth: mid, latentSize } = args;
    this.linearEnc = [
      new Linear({ inFeatures: flat, outFeatures: mid, inputMap: map }, `${seed}/enc0`),
      bn(mid),
      new Linear({ inFeatures: mid, outFeatures: latentSize }, `${seed}/enc3`),
    ];
    this.linearDec = [
      new Linear({ inFeatures: latentSize, outFeatures: mid }, `${seed}/dec0`),
      bn(mid),
      new Linear({ inFeatures: mid, outFeatures: flat, outputMap: map }, `${seed}/dec3`),
    ];

    this.decoder = [up(1, c4, c4), up(2, c4, c2), up(3, c2, c1), up(4, c1, args.outputChannels, true)];
  }

  /** Runs the network; `latent` (MemAE) rewrites z before decoding. */
  forward(x: tf.Tensor4D, training: boolean, latent?: LatentTransform): AutoencoderPass {
    const { imageSize } = this.args;
    assertShape('AutoencoderNetwork', 'input', x.shape, [-1, imageSize, imageSize, 1]);

    const taps: tf.Tensor[] = [];
    let h: tf.Tensor4D = x;
    for (const block of this.encoder) {
      h = block.apply(h, training);
      taps.push(h);
    }

    const batch = x.shape[0];
    const [enc0, encNorm, enc3] = this.linearEnc;
    const z = enc3.apply(tf.relu(encNorm.apply(enc0.apply(tf.reshape(h, [batch, -1])), training)));
    taps.push(z);

    const code = latent ? latent(z, training) : z;
    const [dec0, decNorm, dec3] = this.linearDec;
    const flat = dec3.apply(tf.relu(decNorm.apply(dec0.apply(code), training)));
    h = tf.reshape(flat, [batch, this.featureSize, this.featureSize, this.channels[3]]);
    taps.push(h);

    for (const block of this.decoder.slice(0, 3)) {
      h = block.apply(h, training);
      taps.push(h);
    }
    const output = this.decoder[3]!.apply(h, training);
    return { taps, output };
  }

  /** Lists every layer with its state-dict prefix, in the official module order. */
  namedLayers(): Array<[string, Layer]> {
    const named: Array<[string, Layer]> = [];
    this.encoder.forEach((block, i) => named.push(...block.layers(`en_block${i + 1}.`)));
    const indices = [0, 1, 3];
    this.linearEnc.forEach((layer, i) => named.push([`bottle_neck.linear_enc.${indices[i]}.`, layer]));
    this.linearDec.forEach((layer, i) => named.push([`bottle_neck.linear_dec.${indices[i]}.`, layer]));
    this.decoder.forEach((block, i) => named.push(...block.layers(`de_block${i + 1}.`)));
    return named;
  }

  /** Every variable an optimizer updates, over all blocks (BatchNorm running statistics excluded). */
  trainableVariables(): tf.Variable[] {
    return this.namedLayers().flatMap(([, layer]) => layer.trainableVariables());
  }

  /** Frees every variable of the network. */
  dispose(): void {
    for (const [, layer] of this.namedLayers()) layer.dispose();
  }
}

function validate(args: AutoencoderArgs): void {
  if (args.imageSize % 16 !== 0 || args.imageSize < 16) {
    throw new D2ueError('config', `backbone.imageSize: must be a multiple of 16 (4 stride-2 blocks), got ${args.imageSize}.`, {
      subject: 'backbone.imageSize',
    });
  }
  if (!Number.isInteger(16 * args.widthMultiplier)) {
    throw new D2ueError(
      'config',
      `backbone.widthMultiplier: 16 × widthMultiplier must be a whole number of channels, got ${args.widthMultiplier}; use e.g. 0.25, 0.5 or 1.`,
      { subject: 'backbone.widthMultiplier' },
    );
  }
}
