/** Configuration of the variational autoencoder (Kingma & Welling 2014) and β-VAE (Higgins et al. 2017). */
import { ACTIVATIONS, type ActivationName } from '../../core/index.js';
import { INITS, type InitName } from '../../nn/init.js';
import { integer, integerList, number, oneOf, type Schema } from '../../util/schema.js';
import { MAX_PARAMETERS } from '../dense/config.js';
import type { FlagTable } from '../registry.js';

/** The fields of a Gaussian-latent model with dense bodies: the VAE's, which the conditional VAE extends. */
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

export interface VaeConfig extends VaeFields {
  kind: 'vae';
}

export const vaeSchema: Schema<VaeFields> = {
  inputDim: integer('input features per sample (0: taken from the data)', 0, { min: 0 }),
  hidden: integerList('encoder hidden sizes; the decoder mirrors them', [400], { min: 1 }),
  latentDim: integer('size of the latent code z (the Gaussian has a mean and a log-variance per unit)', 20, { min: 1 }),
  activation: oneOf('hidden-layer activation', ACTIVATIONS, 'relu'),
  likelihood: oneOf('decoder distribution: bernoulli (data in [0, 1]) or gaussian', ['bernoulli', 'gaussian'] as const, 'bernoulli'),
  beta: number('weight of the KL term (1: VAE; other values: β-VAE)', 1, { min: 0 }),
  klWarmup: number('fraction of training over which β rises from 0 (0: no warm-up)', 0, { min: 0, max: 1 }),
  init: oneOf('weight initialiser (auto: He for ReLU-like, Glorot otherwise)', ['auto', ...INITS] as const, 'auto'),
};

export const vaeFlags: FlagTable<VaeFields> = {
  inputDim: null,
  hidden: 'hidden',
  latentDim: 'latent-dim',
  activation: 'activation',
  likelihood: 'likelihood',
  beta: 'beta',
  klWarmup: 'kl-warmup',
  init: 'init',
};

/** Refuses a model over aekit's parameter limit; `sideFeatures` are inputs concatenated to the encoder's and the decoder's (a one-hot class). */
export function validateVae(c: VaeFields, sideFeatures = 0): void {
  const widths = [c.inputDim, ...c.hidden];
  let params = 0;
  for (let i = 1; i < widths.length; i++) params += 2 * (widths[i - 1]! * widths[i]! + widths[i]!);
  params += 3 * (widths.at(-1)! * c.latentDim);
  params += sideFeatures * (widths[1] ?? c.latentDim) + sideFeatures * widths.at(-1)!;
  if (params > MAX_PARAMETERS) throw new Error(`model: about ${params.toExponential(2)} parameters, more than the ${MAX_PARAMETERS.toExponential(2)} aekit allows`);
}
