/**
 * Variational autoencoder with dense bodies. The encoder gives a diagonal Gaussian q(z|x) = N(μ, σ²)
 * (two heads: μ and log σ²); training samples z = μ + σ·ε with ε ~ N(0, I) (the reparameterisation
 * trick, Kingma & Welling 2014 §2.4); the loss is the negative ELBO per sample,
 *   recon = −log p(x|z) summed over features,  kl = −½ Σ (1 + log σ² − μ² − σ²)   (their eq. 10),
 *   loss = recon + β·kl, with β ramped from 0 over the first `klWarmup` of training.
 * `encode` gives μ; `sample` decodes draws from the prior N(0, I).
 */
import { activate, add, exp, mean, mul, randomNormal, reshape, softplus, sub, square, sum, tidy, type Rng, type Tensor } from '../../core/index.js';
import { Dense } from '../../nn/dense.js';
import { bceWithLogits, mse } from '../../nn/losses.js';
import { Mlp } from '../../nn/mlp.js';
import { fromImages, Stack } from '../../nn/stack.js';
import { convStacks, imagesOf } from '../conv/model.js';
import { Autoencoder, flattenSamples, type AutoencoderOutput, type ForwardOptions } from '../contract.js';
import type { VaeConfig } from './config.js';

export interface GaussianCode {
  /** (B, latentDim) */
  mu: Tensor;
  /** log σ², (B, latentDim) */
  logVar: Tensor;
}

export class VariationalAutoencoder extends Autoencoder<VaeConfig> {
  readonly latentKind = 'gaussian' as const;
  private readonly body: Mlp | Stack | null;
  private readonly muHead: Dense;
  private readonly logVarHead: Dense;
  private readonly decoder: Mlp | Stack;

  constructor(config: VaeConfig, rng: Rng) {
    super(config);
    const c = config;
    const opts = c.init === 'auto' ? {} : { init: c.init };
    const head = (name: string, h: number) => this.addModule(name, new Dense({ inFeatures: h, outFeatures: c.latentDim, activation: 'linear', ...opts }, rng));
    if (c.body === 'conv') {
      const { encoder, decoder } = convStacks(c, rng, [c.latentDim]);
      this.body = this.addModule('encoder', encoder);
      this.muHead = head('mu', encoder.outShape[0]!);
      this.logVarHead = head('log_var', encoder.outShape[0]!);
      this.decoder = this.addModule('decoder', decoder);
      return;
    }
    const trunk = [c.inputDim, ...c.hidden];
    this.body = trunk.length > 1 ? this.addModule('encoder', new Mlp(trunk, c.activation, c.activation, rng, opts)) : null;
    this.muHead = head('mu', trunk.at(-1)!);
    this.logVarHead = head('log_var', trunk.at(-1)!);
    this.decoder = this.addModule('decoder', new Mlp([c.latentDim, ...[...c.hidden].reverse(), c.inputDim], c.activation, 'linear', rng, opts));
  }

  /** q(z|x): μ and log σ² of x (B, …sampleShape), in evaluation mode. */
  distribution(x: Tensor): GaussianCode {
    this.setTraining(false);
    return this.gaussian(this.flatten(x));
  }

  /** x → μ (the mean of q(z|x)). */
  encode(x: Tensor): Tensor {
    return this.distribution(x).mu;
  }

  /** z (B, latentDim) → the decoder's mean: probabilities for Bernoulli data, values for Gaussian. */
  decode(z: Tensor): Tensor {
    this.setTraining(false);
    return this.mean(this.decodeOut(z));
  }

  /** n samples from the model: z ~ N(0, I) decoded, (n, inputDim). */
  override sample(n: number, rng: Rng): Tensor {
    return this.decode(randomNormal([n, this.config.latentDim], rng));
  }

  forward(x: Tensor, opts: ForwardOptions): AutoencoderOutput {
    this.setTraining(opts.training);
    const flat = this.flatten(x); // (B, inputDim)
    const { mu, logVar } = this.gaussian(flat);
    const z = opts.training ? this.reparameterise(mu, logVar, opts.rng) : mu;
    const out = this.decodeOut(z); // logits (Bernoulli) or mean (Gaussian), (B, inputDim)
    const d = this.config.inputDim;
    // Per-sample sums: the mean-per-feature losses times the feature count.
    const recon = this.config.likelihood === 'bernoulli' ? mul(bceWithLogits(out, flat), d) : mul(mse(out, flat), 0.5 * d);
    const kl = mul(mean(sum(sub(add(logVar, 1), add(square(mu), exp(logVar))), 1)), -0.5);
    const loss = add(recon, mul(kl, this.betaAt(opts)));
    let shown: Tensor | null = null;
    const meanOut = () => (shown ??= reshape(this.mean(out), x.shape));
    return { loss, terms: { recon, kl }, z: mu, get recon(): Tensor { return meanOut(); } };
  }

  /**
   * Importance-sampled estimate of log p(x) per sample (Burda et al. 2016, eq. 8, with q(z|x) as
   * the proposal): log (1/K) Σₖ p(x|zₖ)·p(zₖ) / q(zₖ|x), zₖ ~ q(z|x). K = 1 gives the ELBO; the
   * estimate rises toward log p(x) as K grows. Returns nats, one value per row of x.
   */
  override logLikelihood(x: Tensor, k: number, rng: Rng): Float64Array {
    this.setTraining(false);
    const flat = this.flatten(x);
    const { mu, logVar } = this.gaussian(flat);
    const b = flat.shape[0]!;
    const logW = Array.from({ length: k }, () => tidy(() => {
      const eps = randomNormal(mu.shape, rng, 0, 1, mu.dtype);
      const z = add(mu, mul(exp(mul(logVar, 0.5)), eps));
      const logPz = mul(sum(square(z), 1), -0.5); // up to −(k/2)·log 2π, which cancels with q's
      const logQz = mul(sum(add(square(eps), logVar), 1), -0.5);
      return Float64Array.from(add(this.logPxGivenZ(flat, z), sub(logPz, logQz)).data);
    }));
    const out = new Float64Array(b);
    for (let i = 0; i < b; i++) {
      let m = -Infinity;
      for (const w of logW) m = Math.max(m, w[i]!);
      let s = 0;
      for (const w of logW) s += Math.exp(w[i]! - m);
      out[i] = m + Math.log(s / k);
    }
    return out;
  }

  /** log p(x|z) per sample, summed over features: Bernoulli x·l − softplus(l), or a unit-variance Gaussian. */
  private logPxGivenZ(flat: Tensor, z: Tensor): Tensor {
    const out = this.decodeOut(z);
    if (this.config.likelihood === 'bernoulli') return sum(sub(mul(flat, out), softplus(out)), 1);
    return add(mul(sum(square(sub(flat, out)), 1), -0.5), (-0.5 * this.config.inputDim) * Math.log(2 * Math.PI));
  }

  /** β, ramped linearly from 0 over the first `klWarmup` of training. */
  private betaAt(opts: ForwardOptions): number {
    const { beta, klWarmup } = this.config;
    if (!opts.training || klWarmup === 0 || opts.progress === undefined) return beta;
    return beta * Math.min(1, opts.progress / klWarmup);
  }

  private gaussian(flat: Tensor): GaussianCode {
    const h = this.body instanceof Stack ? this.body.forward(imagesOf(flat, this.config.imageShape, 'VAE')) : this.body ? this.body.forward(flat) : flat;
    return { mu: this.muHead.forward(h), logVar: this.logVarHead.forward(h) };
  }

  /** z = μ + exp(½ log σ²)·ε, ε ~ N(0, I) from the step's generator. */
  private reparameterise(mu: Tensor, logVar: Tensor, rng?: Rng): Tensor {
    if (!rng) throw new Error('a VAE in training needs a random generator (ForwardOptions.rng) to sample z');
    return add(mu, mul(exp(mul(logVar, 0.5)), randomNormal(mu.shape, rng, 0, 1, mu.dtype)));
  }

  /** The decoder's output for z, (B, inputDim) (a conv decoder's image flattened in C, H, W order). */
  private decodeOut(z: Tensor): Tensor {
    if (!(this.decoder instanceof Stack)) return this.decoder.forward(z);
    return reshape(fromImages(this.decoder.forward(z)), [z.shape[0]!, -1]);
  }

  private mean(out: Tensor): Tensor {
    return this.config.likelihood === 'bernoulli' ? activate(out, 'sigmoid') : out;
  }

  private flatten(x: Tensor): Tensor {
    return flattenSamples(x, this.config.inputDim, 'VAE');
  }
}
