import type { ModelVariant } from '../registry.js';
import { convFlags, convSchema, validateConv, type ConvAEConfig } from './config.js';
import { ConvAutoencoder } from './model.js';

export const convVariant: ModelVariant<ConvAEConfig> = {
  kind: 'conv',
  summary: 'convolutional autoencoder: encoder and decoder layer lists (conv, convt, pooling, upsampling, dense)',
  schema: convSchema,
  flags: convFlags,
  validate: (c) => validateConv(c),
  fitData: (config, sampleShape) => validateConv(config, sampleShape),
  create: (config, rng) => new ConvAutoencoder(config, rng),
};

export { ConvAutoencoder, type ConvAEConfig };
