import type { ModelVariant } from '../registry.js';
import { sparseFlags, sparseSchema, validateSparse, type SparseConfig } from './config.js';
import { SparseAutoencoder } from './model.js';

export const sparseVariant: ModelVariant<SparseConfig> = {
  kind: 'sparse',
  summary: 'dense autoencoder with an L1 and/or KL sparsity penalty on its code; logs the mean activation',
  schema: sparseSchema,
  flags: sparseFlags,
  validate: validateSparse,
  create: (config, rng) => new SparseAutoencoder(config, rng),
};

export { SparseAutoencoder, type SparseConfig };
