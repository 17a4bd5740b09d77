/** Configuration of the contractive autoencoder (Rifai et al. 2011): a dense body plus λ·‖J_f(x)‖²_F. */
import { number, type Schema } from '../../util/schema.js';
import { denseFlags, denseSchema, validateDense, type DenseAEConfig } from '../dense/config.js';
import type { FlagTable } from '../registry.js';

/** Activations whose derivative the penalty writes in closed form. */
export const CONTRACTIVE_ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh'] as const;

export interface ContractiveConfig extends Omit<DenseAEConfig, 'kind'> {
  kind: 'contractive';
  /** λ, the weight of the squared Frobenius norm of the encoder's Jacobian (per sample, averaged). */
  contraction: number;
}

export const contractiveSchema: Schema<Omit<ContractiveConfig, 'kind'>> = {
  ...denseSchema,
  contraction: number("weight λ of the encoder Jacobian's squared Frobenius norm", 1e-4, { min: 0 }),
};

export const contractiveFlags: FlagTable<Omit<ContractiveConfig, 'kind'>> = { ...denseFlags, contraction: 'contraction' };

export function validateContractive(c: ContractiveConfig): void {
  validateDense(c);
  for (const [field, act] of [['activation', c.activation], ['latentActivation', c.latentActivation]] as const) {
    if (!(CONTRACTIVE_ACTIVATIONS as readonly string[]).includes(act)) throw new Error(`model.${field} '${act}': the contractive penalty supports ${CONTRACTIVE_ACTIVATIONS.join(', ')}`);
  }
  if (c.batchNorm || c.dropout > 0) throw new Error('model.batchNorm and model.dropout cannot be combined with the contractive penalty (its Jacobian is of the plain dense encoder)');
}
