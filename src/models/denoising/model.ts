/**
 * Denoising autoencoder (Vincent et al. 2008): in training the input is corrupted and the loss
 * compares the reconstruction with the clean input; evaluation, encode and decode see clean data.
 */
import { add, clip, greater, greaterEqual, randomNormal, randomUniform, where, type Rng, type Tensor } from '../../core/index.js';
import type { AutoencoderOutput, ForwardOptions } from '../contract.js';
import { ConvAutoencoder } from '../conv/model.js';
import { DenseAutoencoder } from '../dense/model.js';
import type { DenoisingConfig } from './config.js';

/** x̃ ~ q(x̃ | x), the configured corruption. */
export function corruptInput(c: Pick<DenoisingConfig, 'noise' | 'noiseLevel' | 'noiseClip'>, x: Tensor, rng: Rng): Tensor {
  const { noise, noiseLevel: level, noiseClip } = c;
  let out: Tensor;
  if (noise === 'gaussian') out = add(x, randomNormal(x.shape, rng, 0, level, x.dtype));
  else {
    const u = randomUniform(x.shape, rng, 0, 1, x.dtype);
    // masking: u < level → 0; salt-and-pepper: u < level/2 → 0, level/2 ≤ u < level → 1.
    out = noise === 'masking' ? where(greaterEqual(u, level), x, 0) : where(greater(level / 2, u), 0, where(greater(level, u), 1, x));
  }
  return noiseClip ? clip(out, 0, 1) : out;
}

/** Training input for a denoiser: corrupted in training (when there is noise), clean otherwise. */
function trainingInput(c: DenoisingConfig, x: Tensor, opts: ForwardOptions): Tensor {
  if (!opts.training || c.noiseLevel === 0) return x;
  if (!opts.rng) throw new Error('a denoising autoencoder in training needs a random generator (ForwardOptions.rng)');
  return corruptInput(c, x, opts.rng);
}

export class DenoisingAutoencoder extends DenseAutoencoder<DenoisingConfig> {
  override forward(x: Tensor, opts: ForwardOptions): AutoencoderOutput {
    return this.forwardFrom(trainingInput(this.config, x, opts), x, opts);
  }

  override corrupt(x: Tensor, rng: Rng): Tensor {
    return corruptInput(this.config, x, rng);
  }
}

/** The same training over a convolutional body (model.body 'conv'). */
export class DenoisingConvAutoencoder extends ConvAutoencoder<DenoisingConfig> {
  override forward(x: Tensor, opts: ForwardOptions): AutoencoderOutput {
    return this.forwardFrom(trainingInput(this.config, x, opts), x, opts);
  }

  override corrupt(x: Tensor, rng: Rng): Tensor {
    return corruptInput(this.config, x, rng);
  }
}
