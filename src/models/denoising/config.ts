/** Configuration of the denoising autoencoder (Vincent et al. 2008): a dense body plus the corruption used in training. */
import { boolean, number, oneOf, type Schema } from '../../util/schema.js';
import { checkConvBody, convBodyFlags, convBodySchema, type ConvBodyFields } from '../conv/config.js';
import { denseFlags, denseSchema, validateDense, type DenseAEConfig } from '../dense/config.js';
import type { FlagTable } from '../registry.js';

export type Corruption = 'gaussian' | 'masking' | 'salt-and-pepper';

export interface DenoisingConfig extends Omit<DenseAEConfig, 'kind'>, ConvBodyFields {
  kind: 'denoising';
  /** dense: the dense autoencoder's fields (hidden, latentDim, …); conv: imageShape, encoder and decoder (latentDim is the encoder's output size). */
  body: 'dense' | 'conv';
  /** gaussian: x + level·N(0, 1); masking: each value set to 0 with probability level; salt-and-pepper: to 0 or 1 with probability level. */
  noise: Corruption;
  noiseLevel: number;
  /** Clip corrupted inputs to [0, 1] (the data range of images). */
  noiseClip: boolean;
}

export const denoisingSchema: Schema<Omit<DenoisingConfig, 'kind'>> = {
  ...denseSchema,
  body: oneOf('network: dense (hidden, latentDim, …) or conv (imageShape, encoder, decoder)', ['dense', 'conv'] as const, 'dense'),
  ...convBodySchema,
  noise: oneOf('corruption applied to training inputs (the loss compares with the clean input)', ['gaussian', 'masking', 'salt-and-pepper'] as const, 'gaussian'),
  noiseLevel: number('gaussian: standard deviation; masking and salt-and-pepper: probability per value', 0.4, { min: 0 }),
  noiseClip: boolean('clip corrupted inputs to [0, 1]', true),
};

export const denoisingFlags: FlagTable<Omit<DenoisingConfig, 'kind'>> = {
  ...denseFlags,
  body: 'body',
  ...convBodyFlags,
  noise: 'noise',
  noiseLevel: 'noise-level',
  noiseClip: 'noise-clip',
};

export function validateDenoising(c: DenoisingConfig, sampleShape?: readonly number[]): void {
  if (c.body === 'conv') {
    const code = checkConvBody(c, sampleShape);
    if (code.length) {
      c.latentDim = code.reduce((a, b) => a * b, 1);
      c.inputDim = c.imageShape.reduce((a, b) => a * b, 1);
    }
    if (c.loss === 'bce' && c.outputActivation !== 'sigmoid') throw new Error(`model.loss 'bce' needs model.outputActivation 'sigmoid' (got '${c.outputActivation}')`);
  } else validateDense(c);
  if (c.noise !== 'gaussian' && c.noiseLevel >= 1) throw new Error(`model.noiseLevel is a probability for ${c.noise} noise and must be < 1, got ${c.noiseLevel}`);
}
