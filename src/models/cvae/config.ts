/**
 * Configuration of the conditional VAE (Sohn et al. 2015; Kingma et al. 2014's M2 with the class given):
 * the dense VAE's fields and the number of classes. There is no conv body (no model.body): the one-hot
 * class joins dense layers, the encoder's first hidden layer and the decoder's input.
 */
import { integer, type Schema } from '../../util/schema.js';
import type { FlagTable } from '../registry.js';
import { validateDenseVae, vaeDenseFlags, vaeDenseSchema, type VaeFields } from '../vae/config.js';

export interface CvaeConfig extends VaeFields {
  kind: 'cvae';
  /** Classes y takes (labels 0 … numClasses − 1); y enters the encoder and the decoder one-hot. */
  numClasses: number;
}

export const cvaeSchema: Schema<Omit<CvaeConfig, 'kind'>> = {
  ...vaeDenseSchema,
  numClasses: integer('classes the labels name (0 to N - 1); the one-hot class joins the input and the latent code', 10, { min: 2 }),
};

export const cvaeFlags: FlagTable<Omit<CvaeConfig, 'kind'>> = { ...vaeDenseFlags, numClasses: 'num-classes' };

export function validateCvae(c: CvaeConfig): void {
  if (c.hidden.length === 0) throw new Error('model.hidden: a cvae needs at least one hidden layer (the one-hot class joins the input there)');
  validateDenseVae(c, c.numClasses);
}
