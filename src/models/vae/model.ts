/**
 * Variational autoencoder with dense or convolutional bodies (model.body; a conditional VAE's are dense). The encoder gives a diagonal Gaussian q(z|x) = N(μ, σ²)
 * (two heads: μ and log σ²); training samples z = μ + σ·ε with ε ~ N(0, I) (the reparameterisation
 * trick, Kingma & Welling 2014 §2.4); the loss is the negative ELBO per sample (elbo.ts),
 *   recon = −log p(x|z) summed over features,  kl = −½ Σ (1 + log σ² − μ² − σ²)   (their eq. 10),
 *   loss = recon + β·kl, with β ramped from 0 over the first `klWarmup` of training.
 * `encode` gives μ; `sample` decodes draws from the prior N(0, I). A subclass may condition both
 * bodies on a side input (`condition`): the conditional VAE's one-hot class.
 */
import { add, mul, randomNormal, reshape, type Rng, type Tensor } from '../../core/index.js';
import { Dense } from '../../nn/dense.js';
import { Mlp } from '../../nn/mlp.js';
import { fromImages, Stack } from '../../nn/stack.js';
import { convStacks, imagesOf } from '../conv/model.js';
import { Autoencoder, flattenSamples, type AutoencoderOutput, type ForwardOptions, type Labels, type ModelConfigBase } from '../contract.js';
import type { VaeBodyFields, VaeConfig, VaeFields } from './config.js';
import { decoderMean, gaussianKl, importanceSampledLogLikelihood, logLikelihoodGivenZ, reconstructionLoss, reparameterise, warmedBeta, type GaussianCode } from './elbo.js';

export type { GaussianCode };

/** A config with the VAE's dense fields; the body choice is optional (a conditional VAE's has none: dense). */
type GaussianModelConfig = VaeFields & Partial<VaeBodyFields> & ModelConfigBase;

function hasConvBody<C extends GaussianModelConfig>(c: C): c is C & VaeBodyFields {
  return c.body === 'conv';
}

export class VariationalAutoencoder<C extends GaussianModelConfig = VaeConfig> extends Autoencoder<C> {
  readonly latentKind = 'gaussian' as const;
  private readonly body: Mlp | Stack | null;
  private readonly muHead: Dense;
  private readonly logVarHead: Dense;
  private readonly decoder: Mlp | Stack;

  /** `sideFeatures`: the width of the side input `condition` gives, concatenated to x and to z (0: none). */
  constructor(config: C, rng: Rng, sideFeatures = 0) {
    super(config);
    const c = config;
    const init = c.init === 'auto' ? {} : { init: c.init };
    const head = (name: string, h: number) => this.addModule(name, new Dense({ inFeatures: h, outFeatures: c.latentDim, activation: 'linear', ...init }, rng));
    if (hasConvBody(c)) {
      if (sideFeatures > 0) throw new Error('model.body: a conditional VAE needs a dense body (the condition joins dense layers)');
      const { encoder, decoder } = convStacks(c, rng, [c.latentDim]);
      this.body = this.addModule('encoder', encoder);
      this.muHead = head('mu', encoder.outShape[0]!);
      this.logVarHead = head('log_var', encoder.outShape[0]!);
      this.decoder = this.addModule('decoder', decoder);
      return;
    }
    const opts = { ...init, sideFeatures };
    const trunk = [c.inputDim, ...c.hidden];
    if (sideFeatures > 0 && trunk.length < 2) throw new Error('model.hidden: a conditional VAE needs a hidden layer, where the condition joins the input');
    this.body = trunk.length > 1 ? this.addModule('encoder', new Mlp(trunk, c.activation, c.activation, rng, opts)) : null;
    this.muHead = head('mu', trunk.at(-1)!);
    this.logVarHead = head('log_var', trunk.at(-1)!);
    this.decoder = this.addModule('decoder', new Mlp([c.latentDim, ...[...c.hidden].reverse(), c.inputDim], c.activation, 'linear', rng, opts));
  }

  /** q(z|x): μ and log σ² of x (B, …sampleShape), in evaluation mode. */
  distribution(x: Tensor, labels?: Labels | null): GaussianCode {
    this.setTraining(false);
    const flat = this.flatten(x);
    return this.gaussian(flat, this.side(labels, flat.shape[0]!));
  }

  /** x → μ (the mean of q(z|x)). */
  encode(x: Tensor, labels?: Labels | null): Tensor {
    return this.distribution(x, labels).mu;
  }

  /** z (B, latentDim) → the decoder's mean: probabilities for Bernoulli data, values for Gaussian. */
  decode(z: Tensor, labels?: Labels | null): Tensor {
    this.setTraining(false);
    return decoderMean(this.decodeOut(z, this.side(labels, z.shape[0]!)), this.config.likelihood);
  }

  /** n samples from the model: z ~ N(0, I) decoded, (n, inputDim). */
  override sample(n: number, rng: Rng, labels?: Labels | null): Tensor {
    return this.decode(randomNormal([n, this.config.latentDim], rng), labels);
  }

  forward(x: Tensor, opts: ForwardOptions): AutoencoderOutput {
    this.setTraining(opts.training);
    const flat = this.flatten(x); // (B, inputDim)
    const side = this.side(opts.labels, flat.shape[0]!);
    const q = this.gaussian(flat, side);
    const z = opts.training ? reparameterise(q, opts.rng) : q.mu;
    const out = this.decodeOut(z, side); // logits (Bernoulli) or mean (Gaussian), (B, inputDim)
    const recon = reconstructionLoss(out, flat, this.config.likelihood);
    const kl = gaussianKl(q);
    const loss = add(recon, mul(kl, warmedBeta(this.config.beta, this.config.klWarmup, opts)));
    let shown: Tensor | null = null;
    const meanOut = () => (shown ??= reshape(decoderMean(out, this.config.likelihood), x.shape));
    return { loss, terms: { recon, kl }, z: q.mu, get recon(): Tensor { return meanOut(); } };
  }

  /** log p(x) per sample by importance sampling with q(z|x) as the proposal (elbo.ts); nats, one value per row of x. */
  override logLikelihood(x: Tensor, k: number, rng: Rng, labels?: Labels | null): Float64Array {
    this.setTraining(false);
    const flat = this.flatten(x);
    const side = this.side(labels, flat.shape[0]!);
    const logPxGivenZ = (z: Tensor) => logLikelihoodGivenZ(this.decodeOut(z, side), flat, this.config.likelihood);
    return importanceSampledLogLikelihood(this.gaussian(flat, side), k, rng, logPxGivenZ);
  }

  /** The side input both bodies see for b samples with these labels, (b, sideFeatures); null for a VAE, which conditions on nothing. */
  protected condition(_labels: Labels | null | undefined, _b: number): Tensor | null {
    return null;
  }

  private side(labels: Labels | null | undefined, b: number): Tensor | undefined {
    return this.condition(labels, b) ?? undefined;
  }

  private gaussian(flat: Tensor, side: Tensor | undefined): GaussianCode {
    const h = this.body instanceof Stack ? this.body.forward(imagesOf(flat, this.config.imageShape!, this.kind.toUpperCase())) : this.body ? this.body.forward(flat, undefined, side) : flat;
    return { mu: this.muHead.forward(h), logVar: this.logVarHead.forward(h) };
  }

  /** The decoder's output for z, (B, inputDim) (a conv decoder's image flattened in C, H, W order); `side` joins a dense decoder's input. */
  private decodeOut(z: Tensor, side: Tensor | undefined): Tensor {
    if (!(this.decoder instanceof Stack)) return this.decoder.forward(z, undefined, side);
    return reshape(fromImages(this.decoder.forward(z)), [z.shape[0]!, -1]);
  }

  private flatten(x: Tensor): Tensor {
    return flattenSamples(x, this.config.inputDim, this.kind.toUpperCase());
  }
}
