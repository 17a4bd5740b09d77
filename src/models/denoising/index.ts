import type { ModelVariant } from '../registry.js';
import { denoisingFlags, denoisingSchema, validateDenoising, type Corruption, type DenoisingConfig } from './config.js';
import { corruptInput, DenoisingAutoencoder, DenoisingConvAutoencoder } from './model.js';

export const denoisingVariant: ModelVariant<DenoisingConfig> = {
  kind: 'denoising',
  summary: 'dense or convolutional autoencoder trained to undo corruption (gaussian, masking, salt-and-pepper) of its inputs',
  schema: denoisingSchema,
  flags: denoisingFlags,
  validate: (c) => validateDenoising(c),
  fitData: (c, shape) => validateDenoising(c, shape),
  create: (config, rng) => (config.body === 'conv' ? new DenoisingConvAutoencoder(config, rng) : new DenoisingAutoencoder(config, rng)),
};

export { corruptInput, DenoisingAutoencoder, DenoisingConvAutoencoder, type Corruption, type DenoisingConfig };
