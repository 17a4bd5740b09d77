import type { ModelVariant } from '../registry.js';
import { denseFlags, denseSchema, validateDense, type DenseAEConfig } from './config.js';
import { DenseAutoencoder } from './model.js';

export const denseVariant: ModelVariant<DenseAEConfig> = {
  kind: 'dense',
  summary: 'fully connected autoencoder, decoder mirrored (optionally tied)',
  schema: denseSchema,
  flags: denseFlags,
  validate: validateDense,
  create: (config, rng) => new DenseAutoencoder(config, rng),
};

export { DenseAutoencoder, type DenseAEConfig };
