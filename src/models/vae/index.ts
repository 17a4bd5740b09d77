import type { ModelVariant } from '../registry.js';
import { validateVae, vaeFlags, vaeSchema, type VaeConfig } from './config.js';
import { VariationalAutoencoder, type GaussianCode } from './model.js';

export const vaeVariant: ModelVariant<VaeConfig> = {
  kind: 'vae',
  summary: 'variational autoencoder (Gaussian q(z|x), Bernoulli or Gaussian p(x|z)); β-VAE with --beta, KL warm-up with --kl-warmup',
  schema: vaeSchema,
  flags: vaeFlags,
  validate: (c) => validateVae(c),
  fitData: (c, shape) => validateVae(c, shape),
  create: (config, rng) => new VariationalAutoencoder(config, rng),
};

export { VariationalAutoencoder, type GaussianCode, type VaeConfig };
