/**
 * Configuration of the sparse autoencoder: a dense body plus an activity penalty on the code —
 * L1 (Keras's activity_regularizer, λ·Σ|z| per sample) and/or KL sparsity toward a target mean
 * activation ρ (Ng, "Sparse autoencoder" lecture notes, §3: β·Σⱼ KL(ρ ‖ ρ̂ⱼ), codes in (0, 1)).
 */
import { number, type Schema } from '../../util/schema.js';
import { denseFlags, denseSchema, validateDense, type DenseAEConfig } from '../dense/config.js';
import type { FlagTable } from '../registry.js';

export interface SparseConfig extends Omit<DenseAEConfig, 'kind'> {
  kind: 'sparse';
  l1: number;
  klWeight: number;
  rho: number;
}

export const sparseSchema: Schema<Omit<SparseConfig, 'kind'>> = {
  ...denseSchema,
  l1: number('L1 activity penalty on the code: λ·Σ|z| per sample', 1e-5, { min: 0 }),
  klWeight: number('weight β of the KL sparsity penalty (needs a sigmoid code; 0: off)', 0, { min: 0 }),
  rho: number('target mean activation ρ of each code unit for the KL penalty', 0.05, { positive: true, below: 1 }),
};

export const sparseFlags: FlagTable<Omit<SparseConfig, 'kind'>> = {
  ...denseFlags,
  l1: 'l1',
  klWeight: 'kl-sparsity',
  rho: 'rho',
};

export function validateSparse(c: SparseConfig): void {
  validateDense(c);
  if (c.klWeight > 0 && c.latentActivation !== 'sigmoid') {
    throw new Error(`model.klWeight needs model.latentActivation 'sigmoid' (mean activations in (0, 1)), got '${c.latentActivation}'`);
  }
}
