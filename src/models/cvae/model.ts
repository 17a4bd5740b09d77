/**
 * Conditional VAE (Sohn et al. 2015; the labelled case of Kingma et al. 2014's M2): the VAE with
 * the class y, one-hot, concatenated to the encoder's input and to the latent code, so
 *   q(z | x, y) = N(μ(x, y), σ²(x, y)),  p(x | z, y),  prior p(z) = N(0, I),
 * and the loss is the negative conditional ELBO −log p(x|z,y) + β·KL(q(z|x,y) ‖ p(z)). Everything
 * but the condition is the VAE's (vae/model.ts, vae/elbo.ts); `logLikelihood` estimates log p(x | y).
 */
import { tensor, type Rng, type Tensor } from '../../core/index.js';
import type { ClassConditioning, Labels } from '../contract.js';
import { VariationalAutoencoder } from '../vae/model.js';
import type { CvaeConfig } from './config.js';

export class ConditionalVae extends VariationalAutoencoder<CvaeConfig> {
  override readonly conditioning: ClassConditioning = { kind: 'class', numClasses: this.config.numClasses };

  constructor(config: CvaeConfig, rng: Rng) {
    super(config, rng, config.numClasses);
  }

  /** n samples, sample i of class labels[i]; without labels, of class i mod numClasses (every class in turn). */
  override sample(n: number, rng: Rng, labels?: Labels | null): Tensor {
    return super.sample(n, rng, labels ?? Int32Array.from({ length: n }, (_, i) => i % this.config.numClasses));
  }

  /** The one-hot classes of b samples, (b, numClasses). */
  protected override condition(labels: Labels | null | undefined, b: number): Tensor {
    return oneHot(labels, b, this.config.numClasses);
  }
}

/** labels (b) → rows e_y (b, k); refuses missing labels, a count other than b and a label outside [0, k). */
export function oneHot(labels: Labels | null | undefined, b: number, k: number): Tensor {
  if (!labels) throw new Error(`a conditional model needs the class of each sample (labels 0 to ${k - 1})`);
  if (labels.length !== b) throw new Error(`${labels.length} labels for ${b} samples`);
  const values = new Float32Array(b * k);
  labels.forEach((y, i) => {
    if (!(y >= 0 && y < k)) throw new Error(`label ${y} of sample ${i + 1} is outside the classes 0 to ${k - 1}`);
    values[i * k + y] = 1;
  });
  return tensor(values, [b, k]);
}
