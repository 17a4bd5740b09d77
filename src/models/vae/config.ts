/** Configuration of the variational autoencoder (Kingma & Welling 2014) and β-VAE (Higgins et al. 2017). */
import { ACTIVATIONS, type ActivationName } from '../../core/index.js';
import { INITS, type InitName } from '../../nn/init.js';
import { integer, integerList, number, oneOf, type Schema } from '../../util/schema.js';
import { checkConvBody, convBodyFlags, convBodySchema, type ConvBodyFields } from '../conv/config.js';
import { MAX_PARAMETERS } from '../dense/config.js';
import type { FlagTable } from '../registry.js';

export interface VaeConfig extends ConvBodyFields {
  kind: 'vae';
  /** dense: `hidden` sizes, mirrored; conv: the `encoder` layers end in a vector (the μ and log σ² heads follow) and the `decoder` layers go from the code to the image. */
  body: 'dense' | 'conv';
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

export const vaeSchema: Schema<Omit<VaeConfig, 'kind'>> = {
  inputDim: integer('input features per sample (0: taken from the data)', 0, { min: 0 }),
  hidden: integerList('encoder hidden sizes; the decoder mirrors them', [400], { min: 1 }),
  latentDim: integer('size of the latent code z (the Gaussian has a mean and a log-variance per unit)', 20, { min: 1 }),
  activation: oneOf('hidden-layer activation', ACTIVATIONS, 'relu'),
  likelihood: oneOf('decoder distribution: bernoulli (data in [0, 1]) or gaussian', ['bernoulli', 'gaussian'] as const, 'bernoulli'),
  beta: number('weight of the KL term (1: VAE; other values: β-VAE)', 1, { min: 0 }),
  klWarmup: number('fraction of training over which β rises from 0 (0: no warm-up)', 0, { min: 0, max: 1 }),
  init: oneOf('weight initialiser (auto: He for ReLU-like, Glorot otherwise)', ['auto', ...INITS] as const, 'auto'),
  body: oneOf('network: dense (hidden) or conv (imageShape, encoder ending in a vector, decoder from the code)', ['dense', 'conv'] as const, 'dense'),
  ...convBodySchema,
};

export const vaeFlags: FlagTable<Omit<VaeConfig, 'kind'>> = {
  inputDim: null,
  hidden: 'hidden',
  latentDim: 'latent-dim',
  activation: 'activation',
  likelihood: 'likelihood',
  beta: 'beta',
  klWarmup: 'kl-warmup',
  init: 'init',
  body: 'body',
  ...convBodyFlags,
};

export function validateVae(c: VaeConfig, sampleShape?: readonly number[]): void {
  if (c.body === 'conv') {
    const code = checkConvBody(c, sampleShape, [c.latentDim]);
    if (code.length > 1) throw new Error(`model.encoder of a VAE must end in a vector (flatten, then dense) for the μ and log σ² heads; it ends at [${code.join(', ')}]`);
    if (code.length) c.inputDim = c.imageShape.reduce((a, b) => a * b, 1);
    return;
  }
  const widths = [c.inputDim, ...c.hidden];
  let params = 0;
  for (let i = 1; i < widths.length; i++) params += 2 * (widths[i - 1]! * widths[i]! + widths[i]!);
  params += 3 * (widths.at(-1)! * c.latentDim);
  if (params > MAX_PARAMETERS) throw new Error(`model: about ${params.toExponential(2)} parameters, more than the ${MAX_PARAMETERS.toExponential(2)} aekit allows`);
}
