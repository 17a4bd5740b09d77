/**
 * Sparse autoencoder: the dense reconstruction loss plus activity penalties on the code z,
 *   sparsity = λ·mean_b Σⱼ|z_bj|  +  β·Σⱼ [ρ log(ρ/ρ̂ⱼ) + (1−ρ) log((1−ρ)/(1−ρ̂ⱼ))],  ρ̂ⱼ = mean_b z_bj.
 * `meanActivation` (the batch's mean |z|) is logged beside the loss terms; it is not added to the loss.
 */
import { abs, add, clip, log, mean, mul, sub, sum, type Tensor } from '../../core/index.js';
import type { AutoencoderOutput, ForwardOptions } from '../contract.js';
import { DenseAutoencoder } from '../dense/model.js';
import type { SparseConfig } from './config.js';

export class SparseAutoencoder extends DenseAutoencoder<SparseConfig> {
  override forward(x: Tensor, opts: ForwardOptions): AutoencoderOutput {
    const out = this.forwardFrom(x, x, opts);
    const z = out.z; // (B, latentDim)
    const { l1, klWeight, rho } = this.config;
    const l1Term = mul(mean(sum(abs(z), 1)), l1);
    const sparsity = klWeight > 0 ? add(l1Term, mul(klSparsity(z, rho), klWeight)) : l1Term;
    const loss = add(out.loss, sparsity);
    const terms = { recon: out.terms.recon!, sparsity, meanActivation: mean(abs(z)) };
    return { loss, terms, z, get recon(): Tensor { return out.recon; } };
  }
}

/** Σⱼ KL(ρ ‖ ρ̂ⱼ) for Bernoulli means ρ̂ⱼ = mean over the batch of z_j (clipped away from 0 and 1). */
function klSparsity(z: Tensor, rho: number): Tensor {
  const rhoHat = clip(mean(z, 0), 1e-6, 1 - 1e-6); // (latentDim)
  const a = mul(sub(Math.log(rho), log(rhoHat)), rho);
  const b = mul(sub(Math.log(1 - rho), log(sub(1, rhoHat))), 1 - rho);
  return sum(add(a, b));
}
