/** aekit/models: the autoencoder contract, the variant registry and the built-in variants. */
import { contractiveVariant } from './contractive/index.js';
import { convVariant } from './conv/index.js';
import { cvaeVariant } from './cvae/index.js';
import { denoisingVariant } from './denoising/index.js';
import { denseVariant } from './dense/index.js';
import { registerModel } from './registry.js';
import { sparseVariant } from './sparse/index.js';
import { vaeVariant } from './vae/index.js';

export * from './contract.js';
export * from './registry.js';
export { DenseAutoencoder, type DenseAEConfig } from './dense/index.js';
export { VariationalAutoencoder, type GaussianCode, type VaeConfig } from './vae/index.js';
export { corruptInput, DenoisingAutoencoder, type Corruption, type DenoisingConfig } from './denoising/index.js';
export { SparseAutoencoder, type SparseConfig } from './sparse/index.js';
export { ConvAutoencoder, type ConvAEConfig } from './conv/index.js';
export { ContractiveAutoencoder, jacobianNormSquared, type ContractiveConfig } from './contractive/index.js';
export { ConditionalVae, oneHot, type CvaeConfig } from './cvae/index.js';

let registered = false;

/** Make the built-in variants known to the registry (explicit; nothing registers on import). */
export function registerBuiltinModels(): void {
  if (registered) return;
  registered = true;
  registerModel(denseVariant);
  registerModel(denoisingVariant);
  registerModel(sparseVariant);
  registerModel(contractiveVariant);
  registerModel(vaeVariant);
  registerModel(cvaeVariant);
  registerModel(convVariant);
}
