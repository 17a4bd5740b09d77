import type { ModelVariant } from '../registry.js';
import { cvaeFlags, cvaeSchema, validateCvae, type CvaeConfig } from './config.js';
import { ConditionalVae, oneHot } from './model.js';

export const cvaeVariant: ModelVariant<CvaeConfig> = {
  kind: 'cvae',
  summary: 'conditional VAE: the one-hot class joins the input and the latent code (q(z|x,y), p(x|z,y)); needs labelled data; aekit sample --class K',
  schema: cvaeSchema,
  flags: cvaeFlags,
  validate: validateCvae,
  create: (config, rng) => new ConditionalVae(config, rng),
};

export { ConditionalVae, oneHot, type CvaeConfig };
