/** Configuration of the variational autoencoder (Kingma & Welling 2014) and β-VAE (Higgins et al. 2017). */
import { ACTIVATIONS, type ActivationName } from '../../core/index.js';
import { INITS, type InitName } from '../../nn/init.js';
import { integer, integerList, number, oneOf, type Schema } from '../../util/schema.js';
import { checkConvBody, convBodyFlags, convBodySchema, type ConvBodyFields } from '../conv/config.js';
import { MAX_PARAMETERS } from '../dense/config.js';
import type { FlagTable } from '../registry.js';

/**
 * The fields of a Gaussian-latent model with dense bodies, shared by the VAE and the conditional VAE.
 * The choice of body (`VaeBodyFields`) is the VAE's alone: the cvae's one-hot class joins dense layers.
 */
export interface VaeFields {
  inputDim: number;
  hidden: number[];
  latentDim: number;
  activation: ActivationName;
  /** p(x | z): Bernoulli (data in [0, 1], BCE summed over features) or Gaussian with unit variance (½·squared error). */
  likelihood: 'bernoulli' | 'gaussian';
  /** Weight of the KL term: 1 is the VAE's ELBO, other values a β-VAE. */
  beta: number;
  /** Fraction of training over which β rises linearly from 0 (KL warm-up; 0: none). */
  klWarmup: number;
  init: InitName | 'auto';
}

/** The VAE's body: dense (`hidden`) or convolutional. */
export interface VaeBodyFields extends ConvBodyFields {
  /** dense: `hidden` sizes, mirrored; conv: the `encoder` layers end in a vector (the μ and log σ² heads follow) and the `decoder` layers go from the code to the image. */
  body: 'dense' | 'conv';
}

export interface VaeConfig extends VaeFields, VaeBodyFields {
  kind: 'vae';
}

/** The dense Gaussian-latent fields (the conditional VAE's schema extends these). */
export const vaeDenseSchema: Schema<VaeFields> = {
  inputDim: integer('input features per sample (0: taken from the data)', 0, { min: 0 }),
  hidden: integerList('encoder hidden sizes; the decoder mirrors them', [400], { min: 1 }),
  latentDim: integer('size of the latent code z (the Gaussian has a mean and a log-variance per unit)', 20, { min: 1 }),
  activation: oneOf('hidden-layer activation', ACTIVATIONS, 'relu'),
  likelihood: oneOf('decoder distribution: bernoulli (data in [0, 1]) or gaussian', ['bernoulli', 'gaussian'] as const, 'bernoulli'),
  beta: number('weight of the KL term (1: VAE; other values: β-VAE)', 1, { min: 0 }),
  klWarmup: number('fraction of training over which β rises from 0 (0: no warm-up)', 0, { min: 0, max: 1 }),
  init: oneOf('weight initialiser (auto: He for ReLU-like, Glorot otherwise)', ['auto', ...INITS] as const, 'auto'),
};

export const vaeSchema: Schema<Omit<VaeConfig, 'kind'>> = {
  ...vaeDenseSchema,
  body: oneOf('network: dense (hidden) or conv (imageShape, encoder ending in a vector, decoder from the code)', ['dense', 'conv'] as const, 'dense'),
  ...convBodySchema,
};

export const vaeDenseFlags: FlagTable<VaeFields> = {
  inputDim: null,
  hidden: 'hidden',
  latentDim: 'latent-dim',
  activation: 'activation',
  likelihood: 'likelihood',
  beta: 'beta',
  klWarmup: 'kl-warmup',
  init: 'init',
};

export const vaeFlags: FlagTable<Omit<VaeConfig, 'kind'>> = { ...vaeDenseFlags, body: 'body', ...convBodyFlags };

/** Checks a VAE; a conv body is completed from the data's `sampleShape` when given (the image shape). */
export function validateVae(c: VaeConfig, sampleShape?: readonly number[]): void {
  if (c.body === 'conv') {
    const code = checkConvBody(c, sampleShape, [c.latentDim]);
    if (code.length > 1) throw new Error(`model.encoder of a VAE must end in a vector (flatten, then dense) for the μ and log σ² heads; it ends at [${code.join(', ')}]`);
    if (code.length) c.inputDim = c.imageShape.reduce((a, b) => a * b, 1);
    return;
  }
  validateDenseVae(c);
}

/** Refuses a dense-bodied model over aekit's parameter limit; `sideFeatures` are inputs concatenated to the encoder's and the decoder's (a one-hot class). */
export function validateDenseVae(c: VaeFields, sideFeatures = 0): void {
  const widths = [c.inputDim, ...c.hidden];
  let params = 0;
  for (let i = 1; i < widths.length; i++) params += 2 * (widths[i - 1]! * widths[i]! + widths[i]!);
  params += 3 * (widths.at(-1)! * c.latentDim);
  params += sideFeatures * (widths[1] ?? c.latentDim) + sideFeatures * widths.at(-1)!;
  if (params > MAX_PARAMETERS) throw new Error(`model: about ${params.toExponential(2)} parameters, more than the ${MAX_PARAMETERS.toExponential(2)} aekit allows`);
}
