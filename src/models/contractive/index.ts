import type { ModelVariant } from '../registry.js';
import { contractiveFlags, contractiveSchema, validateContractive, type ContractiveConfig } from './config.js';
import { ContractiveAutoencoder, jacobianNormSquared } from './model.js';

export const contractiveVariant: ModelVariant<ContractiveConfig> = {
  kind: 'contractive',
  summary: "dense autoencoder penalising the squared Frobenius norm of its encoder's Jacobian (exact, any depth)",
  schema: contractiveSchema,
  flags: contractiveFlags,
  validate: validateContractive,
  create: (config, rng) => new ContractiveAutoencoder(config, rng),
};

export { ContractiveAutoencoder, jacobianNormSquared, type ContractiveConfig };
