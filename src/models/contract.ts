/**
 * The autoencoder contract. A model owns its loss: `forward` returns the scalar loss the trainer
 * minimises, the named terms it logs, the reconstruction and the latent code. Shared code never
 * branches on a model's kind; it reads declared properties such as `latentKind` and `conditioning`.
 * Labels travel beside the data as one integer per sample (`Labels`); a model that is not
 * conditioned on them ignores them.
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
  /** One class label per sample of x, for a class-conditional model (`conditioning` set); others ignore it. */
  labels?: Labels | null;
}

/** One integer label per sample (a batch's rows of the data set's labels). */
export type Labels = Int32Array;

/** What a model is conditioned on besides its input: one class in [0, numClasses) per sample, given one-hot. */
export interface ClassConditioning {
  kind: 'class';
  numClasses: number;
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
  /** Class-conditional models (p(x | z, y)) need a label per sample in every call below; null for the others. */
  readonly conditioning: ClassConditioning | null = null;

  constructor(readonly config: C) {
    super();
  }

  get kind(): string {
    return this.config.kind;
  }

  /** x (B, …sampleShape): batches keep each sample's shape (MNIST (B, 1, 28, 28), a table (B, width)). */
  abstract forward(x: Tensor, opts: ForwardOptions): AutoencoderOutput;
  /** x (B, …sampleShape) → z (B, latentDim); `labels` (B) for a conditional model. */
  abstract encode(x: Tensor, labels?: Labels | null): Tensor;
  /** z (B, latentDim) → x̂ (B, inputDim); `labels` (B) for a conditional model. */
  abstract decode(z: Tensor, labels?: Labels | null): Tensor;

  reconstruct(x: Tensor, labels?: Labels | null): Tensor {
    return this.decode(this.encode(x, labels), labels);
  }

  /**
   * n new samples (n, inputDim) from the model's prior; only generative models (latentKind 'gaussian')
   * have it. A conditional model draws sample i of class labels[i]; without labels, of class i mod numClasses.
   */
  sample?(n: number, rng: Rng, labels?: Labels | null): Tensor;

  /** An estimate of log p(x) (log p(x | y) for a conditional model) per sample from k importance samples, in nats; only models with a density (VAEs) have it. */
  logLikelihood?(x: Tensor, k: number, rng: Rng, labels?: Labels | null): Float64Array;

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

/**
 * Why `labels` cannot condition `model` (none given, or one outside its classes), or null when
 * they can (always, for a model that is not conditional). Callers add the source and their error kind.
 */
export function labelProblem(model: Autoencoder, labels: Labels | null | undefined): string | null {
  const c = model.conditioning;
  if (c === null) return null;
  if (!labels) return `has no labels, but a ${model.kind} model is conditioned on the class of each sample (0 to ${c.numClasses - 1})`;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!(y >= 0 && y < c.numClasses)) return `label ${y} of sample ${i + 1} is outside the model's classes 0 to ${c.numClasses - 1}`;
  }
  return null;
}
