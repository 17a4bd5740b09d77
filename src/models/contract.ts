/**
 * The autoencoder contract. A model owns its loss: `forward` returns the scalar loss the trainer
 * minimises, the named terms it logs, the reconstruction and the latent code. Shared code never
 * branches on a model's kind; it reads declared properties such as `latentKind`.
 */
import { reshape, type Rng, type Tensor } from '../core/index.js';
import { Module } from '../nn/module.js';

export interface ForwardOptions {
  /** Training mode: enables noise, dropout and sampling that evaluation turns off. */
  training: boolean;
  /** Randomness for training-time noise; derived from the run seed by the trainer. */
  rng?: Rng;
  /** Training only: the epoch (from 0), the optimisation step (from 1) and the fraction of training done, in [0, 1), for schedules inside the model (β warm-up, noise schedules). */
  epoch?: number;
  step?: number;
  progress?: number;
}

export interface AutoencoderOutput {
  /** Scalar objective to minimise. */
  loss: Tensor;
  /** Named scalar parts of the loss (e.g. recon, kl, sparsity) for logging. */
  terms: Record<string, Tensor>;
  /**
   * Reconstruction of the input, same shape as x (B, …sampleShape), in data space. A model may compute it on first
   * read (a getter), so read it inside the same `tidy` scope as the forward pass.
   */
  recon: Tensor;
  /** Latent code (B, latentDim); the mean for stochastic encoders. */
  z: Tensor;
}

/** A model configuration: the variant's `kind` plus its own fields. */
export interface ModelConfigBase {
  kind: string;
  inputDim: number;
  latentDim: number;
}

export abstract class Autoencoder<C extends ModelConfigBase = ModelConfigBase> extends Module {
  abstract readonly latentKind: 'deterministic' | 'gaussian';

  constructor(readonly config: C) {
    super();
  }

  get kind(): string {
    return this.config.kind;
  }

  /** x (B, …sampleShape): batches keep each sample's shape (MNIST (B, 1, 28, 28), a table (B, width)). */
  abstract forward(x: Tensor, opts: ForwardOptions): AutoencoderOutput;
  /** x (B, …sampleShape) → z (B, latentDim) */
  abstract encode(x: Tensor): Tensor;
  /** z (B, latentDim) → x̂ (B, inputDim) */
  abstract decode(z: Tensor): Tensor;

  reconstruct(x: Tensor): Tensor {
    return this.decode(this.encode(x));
  }

  /** n new samples (n, inputDim) from the model's prior; only generative models (latentKind 'gaussian') have it. */
  sample?(n: number, rng: Rng): Tensor;

  /** An estimate of log p(x) per sample from k importance samples, in nats; only models with a density (VAEs) have it. */
  logLikelihood?(x: Tensor, k: number, rng: Rng): Float64Array;

  /** The corruption a denoising model trains against, x (B, …) → x̃; only denoisers have it. */
  corrupt?(x: Tensor, rng: Rng): Tensor;
}

/** (B, …sampleShape) → (B, width), a view of the same storage; what names the model in the error. */
export function flattenSamples(x: Tensor, width: number, what: string): Tensor {
  if (x.shape.length === 2 && x.shape[1] === width) return x;
  const b = x.shape[0] ?? 0;
  if (x.shape.length < 2 || x.size !== b * width) throw new Error(`${what}: an input of shape [${x.shape.join(', ')}] does not hold ${width} values per sample`);
  return reshape(x, [b, width]);
}
