/**
 * The terms of a Gaussian-latent ELBO (Kingma & Welling 2014), shared by the VAE and the
 * conditional VAE: the reconstruction term −log p(x|z), the KL of q(z|·) from the prior N(0, I),
 * the reparameterised draw of z, β warm-up and the importance-sampled log-likelihood.
 */
import { activate, add, exp, mean, mul, randomNormal, softplus, sub, square, sum, tidy, type Rng, type Tensor } from '../../core/index.js';
import { bceWithLogits, mse } from '../../nn/losses.js';
import type { ForwardOptions } from '../contract.js';

/** p(x | z): Bernoulli (the decoder gives logits) or Gaussian with unit variance (the decoder gives the mean). */
export type Likelihood = 'bernoulli' | 'gaussian';

export interface GaussianCode {
  /** (B, latentDim) */
  mu: Tensor;
  /** log σ², (B, latentDim) */
  logVar: Tensor;
}

/** −log p(x|z) summed over features, mean over the batch (the Gaussian's constant left out); `out` is the decoder's output for x (B, d). */
export function reconstructionLoss(out: Tensor, x: Tensor, likelihood: Likelihood): Tensor {
  const d = x.shape[1]!;
  // Per-sample sums: the mean-per-feature losses times the feature count.
  return likelihood === 'bernoulli' ? mul(bceWithLogits(out, x), d) : mul(mse(out, x), 0.5 * d);
}

/** KL(N(μ, σ²) ‖ N(0, I)) = −½ Σ (1 + log σ² − μ² − σ²) over latent units (their eq. 10), mean over the batch. */
export function gaussianKl({ mu, logVar }: GaussianCode): Tensor {
  return mul(mean(sum(sub(add(logVar, 1), add(square(mu), exp(logVar))), 1)), -0.5);
}

/** log p(x|z) per sample (B), constants included: Bernoulli x·l − softplus(l), or a unit-variance Gaussian. */
export function logLikelihoodGivenZ(out: Tensor, x: Tensor, likelihood: Likelihood): Tensor {
  if (likelihood === 'bernoulli') return sum(sub(mul(x, out), softplus(out)), 1);
  return add(mul(sum(square(sub(x, out)), 1), -0.5), (-0.5 * x.shape[1]!) * Math.log(2 * Math.PI));
}

/** The decoder's mean in data space: probabilities for Bernoulli data, values for Gaussian. */
export function decoderMean(out: Tensor, likelihood: Likelihood): Tensor {
  return likelihood === 'bernoulli' ? activate(out, 'sigmoid') : out;
}

/** z = μ + exp(½ log σ²)·ε, ε ~ N(0, I) from the step's generator (the reparameterisation trick, their §2.4). */
export function reparameterise({ mu, logVar }: GaussianCode, rng?: Rng): Tensor {
  if (!rng) throw new Error('a VAE in training needs a random generator (ForwardOptions.rng) to sample z');
  return add(mu, mul(exp(mul(logVar, 0.5)), randomNormal(mu.shape, rng, 0, 1, mu.dtype)));
}

/** β, ramped linearly from 0 over the first `klWarmup` of training. */
export function warmedBeta(beta: number, klWarmup: number, opts: ForwardOptions): number {
  if (!opts.training || klWarmup === 0 || opts.progress === undefined) return beta;
  return beta * Math.min(1, opts.progress / klWarmup);
}

/**
 * Importance-sampled estimate of log p(x) per sample (Burda et al. 2016, eq. 8, with q(z|·) as the
 * proposal): log (1/K) Σₖ p(x|zₖ)·p(zₖ) / q(zₖ|·), zₖ ~ q. K = 1 gives the ELBO; the estimate
 * rises toward log p(x) as K grows. `logPxGivenZ` maps z (B, latentDim) to log p(x|z) (B). Nats.
 */
export function importanceSampledLogLikelihood(q: GaussianCode, k: number, rng: Rng, logPxGivenZ: (z: Tensor) => Tensor): Float64Array {
  const { mu, logVar } = q;
  const logW = Array.from({ length: k }, () => tidy(() => {
    const eps = randomNormal(mu.shape, rng, 0, 1, mu.dtype);
    const z = add(mu, mul(exp(mul(logVar, 0.5)), eps));
    const logPz = mul(sum(square(z), 1), -0.5); // up to −(k/2)·log 2π, which cancels with q's
    const logQz = mul(sum(add(square(eps), logVar), 1), -0.5);
    return Float64Array.from(add(logPxGivenZ(z), sub(logPz, logQz)).data);
  }));
  const out = new Float64Array(mu.shape[0]!);
  for (let i = 0; i < out.length; i++) {
    let m = -Infinity;
    for (const w of logW) m = Math.max(m, w[i]!);
    let s = 0;
    for (const w of logW) s += Math.exp(w[i]! - m);
    out[i] = m + Math.log(s / k);
  }
  return out;
}
