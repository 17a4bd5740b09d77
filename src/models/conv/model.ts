/**
 * Convolutional autoencoder: an encoder stack from the image (B, C, H, W) to a code (any shape,
 * flattened in C, H, W order as z) and a decoder stack back to the image. Layers run on NHWC
 * tensors inside (nn/stack.ts); with C = 1 the conversions at the edges are free views.
 */
import { activate, reshape, type Rng, type Tensor } from '../../core/index.js';
import { l1, bceWithLogits, mse } from '../../nn/losses.js';
import { fromImages, Stack, toImages } from '../../nn/stack.js';
import { Autoencoder, type AutoencoderOutput, type ForwardOptions, type ModelConfigBase } from '../contract.js';
import type { ReconLoss } from '../dense/config.js';
import type { ActivationName } from '../../core/index.js';
import type { InitName } from '../../nn/init.js';
import type { ConvBodyFields } from './config.js';

/** What a model with a convolutional body reads of its config. */
export type ConvBody = ModelConfigBase & ConvBodyFields & { outputActivation: ActivationName; loss: ReconLoss; init: InitName | 'auto' };

/** The encoder and decoder stacks of a conv body; the decoder starts from the encoder's output unless told otherwise. */
export function convStacks(c: ConvBodyFields & { init: InitName | 'auto' }, rng: Rng, decoderInput?: readonly number[]): { encoder: Stack; decoder: Stack } {
  const init = c.init === 'auto' ? undefined : c.init;
  const encoder = new Stack('model.encoder', c.encoder, c.imageShape, rng, init);
  const decoder = new Stack('model.decoder', c.decoder, decoderInput ?? encoder.outShape, rng, init);
  return { encoder, decoder };
}

/** (B, …) internal stack output → (B, F) flattened in C, H, W order. */
export function flattenCode(h: Tensor): Tensor {
  return h.rank === 4 ? reshape(fromImages(h), [h.shape[0]!, -1]) : h;
}

/** (B, F) → the internal layout of a stack input of per-sample shape `shape`. */
export function unflattenCode(z: Tensor, shape: readonly number[]): Tensor {
  return shape.length === 3 ? toImages(reshape(z, [z.shape[0]!, ...shape])) : z;
}

/** The contract's (B, …sampleShape) images as the stacks' NHWC (B, H, W, C). */
export function imagesOf(x: Tensor, imageShape: readonly number[], what: string): Tensor {
  const [c, h, w] = imageShape as [number, number, number];
  const b = x.shape[0] ?? 0;
  if (x.size !== b * c * h * w) throw new Error(`${what}: an input of shape [${x.shape.join(', ')}] does not hold [${imageShape.join(', ')}] images`);
  return toImages(reshape(x, [b, c, h, w]));
}

export class ConvAutoencoder<C extends ConvBody = ConvBody> extends Autoencoder<C> {
  readonly latentKind = 'deterministic' as const;
  readonly encoder: Stack;
  readonly decoder: Stack;

  constructor(config: C, rng: Rng) {
    super(config);
    const { encoder, decoder } = convStacks(config, rng);
    this.encoder = this.addModule('encoder', encoder);
    this.decoder = this.addModule('decoder', decoder);
  }

  encode(x: Tensor): Tensor {
    this.setTraining(false);
    return flattenCode(this.encoder.forward(imagesOf(x, this.config.imageShape, 'conv autoencoder')));
  }

  decode(z: Tensor): Tensor {
    this.setTraining(false);
    const logits = this.decoder.forward(unflattenCode(z, this.encoder.outShape));
    return reshape(fromImages(activate(logits, this.config.outputActivation)), [z.shape[0]!, -1]);
  }

  forward(x: Tensor, opts: ForwardOptions): AutoencoderOutput {
    return this.forwardFrom(x, x, opts);
  }

  /** Encode `input`, decode, and score against `target` (a denoiser's clean x). Losses are means over every value. */
  protected forwardFrom(input: Tensor, target: Tensor, opts: ForwardOptions): AutoencoderOutput {
    this.setTraining(opts.training);
    const shape = this.config.imageShape;
    const t = imagesOf(target, shape, 'conv autoencoder');
    const h = this.encoder.forward(imagesOf(input, shape, 'conv autoencoder'), opts.rng);
    const logits = this.decoder.forward(h, opts.rng); // (B, H, W, C)
    const act = this.config.outputActivation;
    const bce = this.config.loss === 'bce';
    const out = bce ? null : activate(logits, act);
    const loss = bce ? bceWithLogits(logits, t) : this.config.loss === 'mse' ? mse(out!, t) : l1(out!, t);
    let recon: Tensor | null = null;
    let z: Tensor | null = null;
    return {
      loss,
      terms: { recon: loss },
      get recon(): Tensor { return (recon ??= reshape(fromImages(out ?? activate(logits, act)), target.shape)); },
      get z(): Tensor { return (z ??= flattenCode(h)); },
    };
  }
}
