import type { ModelVariant } from '../registry.js';
import { denoisingFlags, denoisingSchema, validateDenoising, type Corruption, type DenoisingConfig } from './config.js';
import { DenoisingAutoencoder } from './model.js';

export const denoisingVariant: ModelVariant<DenoisingConfig> = {
  kind: 'denoising',
  summary: 'dense autoencoder trained to undo corruption (gaussian, masking, salt-and-pepper) of its inputs',
  schema: denoisingSchema,
  flags: denoisingFlags,
  validate: validateDenoising,
  create: (config, rng) => new DenoisingAutoencoder(config, rng),
};

export { DenoisingAutoencoder, type Corruption, type DenoisingConfig };
