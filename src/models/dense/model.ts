/**
 * Dense autoencoder: encoder inputDim → hidden… → latentDim, decoder mirrored back to inputDim.
 * With tied weights the decoder reuses each encoder weight transposed (own biases).
 */
import { activate, add, full, matmul, type Rng, type Tensor } from '../../core/index.js';
import { Mlp } from '../../nn/mlp.js';
import { Module, ModuleList } from '../../nn/module.js';
import { bceWithLogits, l1, mse } from '../../nn/losses.js';
import { Autoencoder, type AutoencoderOutput, type ForwardOptions } from '../contract.js';
import type { DenseAEConfig } from './config.js';

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

export class DenseAutoencoder extends Autoencoder<DenseAEConfig> {
  readonly latentKind = 'deterministic' as const;
  readonly encoder: Mlp;
  private readonly decoder: Mlp | TiedDecoder;

  constructor(config: DenseAEConfig, rng: Rng) {
    super(config);
    const c = config;
    const init = c.init === 'auto' ? undefined : c.init;
    const encDims = [c.inputDim, ...c.hidden, c.latentDim];
    this.encoder = this.addModule('encoder', new Mlp(encDims, c.activation, c.latentActivation, rng, init));
    const decDims = [...encDims].reverse();
    // The last decoder layer is linear: the output activation is applied by decode/forward so BCE can use logits.
    this.decoder = this.addModule('decoder', c.tiedWeights ? new TiedDecoder(decDims.slice(1)) : new Mlp(decDims, c.activation, 'linear', rng, init));
  }

  encode(x: Tensor): Tensor {
    return this.encoder.forward(x);
  }

  /** Decoder output before the output activation. */
  private decodeLogits(z: Tensor): Tensor {
    if (this.decoder instanceof Mlp) return this.decoder.forward(z);
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

  decode(z: Tensor): Tensor {
    return activate(this.decodeLogits(z), this.config.outputActivation);
  }

  forward(x: Tensor, _opts: ForwardOptions): AutoencoderOutput {
    const z = this.encode(x);
    const logits = this.decodeLogits(z);
    const recon = activate(logits, this.config.outputActivation);
    const loss = this.config.loss === 'bce' ? bceWithLogits(logits, x) : this.config.loss === 'mse' ? mse(recon, x) : l1(recon, x);
    return { loss, terms: { recon: loss }, recon, z };
  }
}

