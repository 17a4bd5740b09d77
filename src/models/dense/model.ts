/**
 * Dense autoencoder: encoder inputDim → hidden… → latentDim, decoder mirrored back to inputDim.
 * With tied weights the decoder reuses each encoder weight transposed (own biases).
 */
import { activate, add, full, matmul, reshape, type Rng, type Tensor } from '../../core/index.js';
import { Mlp } from '../../nn/mlp.js';
import { Module, ModuleList } from '../../nn/module.js';
import { bceWithLogits, l1, mse } from '../../nn/losses.js';
import { Autoencoder, flattenSamples, type AutoencoderOutput, type ForwardOptions } from '../contract.js';
import type { DenseAEConfig, DenseBody } from './config.js';

/** Biases of a tied decoder; its weights are the encoder's. */
class TiedDecoder extends Module {
  readonly biases: ModuleList<BiasOnly>;
  constructor(sizes: readonly number[]) {
    super();
    this.biases = this.addModule('layers', new ModuleList(sizes.map((n) => new BiasOnly(n))));
  }
}

class BiasOnly extends Module {
  readonly bias: Tensor;
  constructor(n: number) {
    super();
    this.bias = this.addParameter('bias', full([n], 0));
  }
}

export class DenseAutoencoder<C extends DenseBody = DenseAEConfig> extends Autoencoder<C> {
  readonly latentKind = 'deterministic' as const;
  readonly encoder: Mlp;
  private readonly decoder: Mlp | TiedDecoder;
  /** Whether the decoder ends before the output activation (so `decodeLogits` gives logits). */
  private readonly logitsOut: boolean;

  constructor(config: C, rng: Rng) {
    super(config);
    const c = config;
    const opts = { ...(c.init === 'auto' ? {} : { init: c.init }), batchNorm: c.batchNorm, dropout: c.dropout };
    const encDims = [c.inputDim, ...c.hidden, c.latentDim];
    this.encoder = this.addModule('encoder', new Mlp(encDims, c.activation, c.latentActivation, rng, opts));
    const decDims = [...encDims].reverse();
    // With BCE the last decoder layer stays linear so the loss can take logits; otherwise it applies
    // the output activation itself (one fused kernel instead of a separate pass).
    this.logitsOut = c.loss === 'bce' || c.tiedWeights;
    this.decoder = this.addModule('decoder', c.tiedWeights ? new TiedDecoder(decDims.slice(1)) : new Mlp(decDims, c.activation, this.logitsOut ? 'linear' : c.outputActivation, rng, opts));
  }

  /** x (B, …sampleShape) → z (B, latentDim), in evaluation mode; the dense body sees each sample as one row. */
  encode(x: Tensor): Tensor {
    this.setTraining(false);
    return this.encoder.forward(this.flatten(x));
  }

  private flatten(x: Tensor): Tensor {
    return flattenSamples(x, this.config.inputDim, 'dense autoencoder');
  }

  /** Decoder output, before the output activation when `logitsOut`. */
  private decodeLogits(z: Tensor, rng?: Rng): Tensor {
    if (this.decoder instanceof Mlp) return this.decoder.forward(z, rng);
    const enc = this.encoder.layers.items;
    let h = z;
    this.decoder.biases.items.forEach((b, i) => {
      const w = enc[enc.length - 1 - i]!.weight; // (out, in) of the mirrored encoder layer
      const last = i === enc.length - 1;
      // h (B, out) · W (out, in) → (B, in)
      h = activate(add(matmul(h, w), b.bias), last ? 'linear' : this.config.activation);
    });
    return h;
  }

  /** z (B, latentDim) → x̂ (B, inputDim), in evaluation mode. */
  decode(z: Tensor): Tensor {
    this.setTraining(false);
    const h = this.decodeLogits(z);
    return this.logitsOut ? activate(h, this.config.outputActivation) : h;
  }

  forward(x: Tensor, opts: ForwardOptions): AutoencoderOutput {
    return this.forwardFrom(x, x, opts);
  }

  /** Encode `input`, decode, and score the reconstruction against `target` (a denoiser's clean x). */
  protected forwardFrom(input: Tensor, x: Tensor, opts: ForwardOptions): AutoencoderOutput {
    this.setTraining(opts.training);
    const flat = this.flatten(x); // (B, inputDim), the target
    const z = this.encoder.forward(this.flatten(input), opts.rng);
    const logits = this.decodeLogits(z, opts.rng);
    const act = this.config.outputActivation;
    if (this.config.loss === 'bce') {
      // The loss reads the logits; the output activation runs only if someone reads `recon`
      // (a training step does not: it saved a full pass over the output per step).
      const loss = bceWithLogits(logits, flat);
      let recon: Tensor | null = null;
      return { loss, terms: { recon: loss }, z, get recon(): Tensor { return (recon ??= reshape(activate(logits, act), x.shape)); } };
    }
    const recon = this.logitsOut ? activate(logits, act) : logits;
    const loss = this.config.loss === 'mse' ? mse(recon, flat) : l1(recon, flat);
    return { loss, terms: { recon: loss }, recon: reshape(recon, x.shape), z };
  }
}

