import type { ModelVariant } from '../registry.js';
import { cvaeFlags, cvaeSchema, validateCvae, type CvaeConfig } from './config.js';
import { ConditionalVae, oneHot } from './model.js';

export const cvaeVariant: ModelVariant<CvaeConfig> = {
  kind: 'cvae',
  summary: 'conditional VAE: the one-hot class joins the input and the latent code (q(z|x,y), p(x|z,y)); needs labelled data; aekit sample --class K',
  schema: cvaeSchema,
  flags: cvaeFlags,
  validate: validateCvae,
  // Dense bodies take samples of any shape; the width is now the data's, so the size limit is checked again.
  fitData: (c) => validateCvae(c),
  create: (config, rng) => new ConditionalVae(config, rng),
};

export { ConditionalVae, oneHot, type CvaeConfig };
