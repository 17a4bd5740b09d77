/**
 * Contractive autoencoder (Rifai et al. 2011, eq. 7): the dense reconstruction loss plus
 * λ·mean_b ‖J_f(x_b)‖²_F, J_f = ∂z/∂x of the encoder, computed exactly for any depth:
 *   J = D_L W_L D_{L-1} W_{L-1} … D_1 W_1,  D_l = diag(σ_l'(a_l)),
 * multiplied from the code side, so each product is (B·k, h_l)·(h_l, h_{l-1}) with k the code
 * size (small): B·k·h values at a time instead of B·h·d. For one layer this is the paper's
 * closed form Σ_j σ'(a_j)² Σ_i W_ji². The penalty is composed from ops, so autograd gives its
 * gradient (checked against finite differences).
 */
import { activate, add, cast, greater, matmul, mean, mul, reshape, square, sub, sum, type ActivationName, type Tensor } from '../../core/index.js';
import type { AutoencoderOutput, ForwardOptions } from '../contract.js';
import { DenseAutoencoder } from '../dense/model.js';
import type { ContractiveConfig } from './config.js';

/** One dense layer: W (out, in), b (out), and its activation. */
export interface DenseLayerParams {
  weight: Tensor;
  bias: Tensor;
  activation: ActivationName;
}

export class ContractiveAutoencoder extends DenseAutoencoder<ContractiveConfig> {
  override forward(x: Tensor, opts: ForwardOptions): AutoencoderOutput {
    const out = this.forwardFrom(x, x, opts);
    const layers = this.encoder.layers.items.map((l) => ({ weight: l.weight, bias: l.bias, activation: l.config.activation }));
    const contraction = mul(jacobianNormSquared(reshape(x, [x.shape[0]!, this.config.inputDim]), layers), this.config.contraction);
    const loss = add(out.loss, contraction);
    return { loss, terms: { recon: out.terms.recon!, contraction }, z: out.z, get recon(): Tensor { return out.recon; } };
  }
}

/** mean over the batch of ‖∂z/∂x‖²_F for the dense encoder `layers` at inputs x (B, d). */
export function jacobianNormSquared(x: Tensor, layers: readonly DenseLayerParams[]): Tensor {
  const derivs: Tensor[] = []; // σ_l'(a_l), (B, h_l)
  let h = x;
  for (const l of layers) {
    const a = add(matmul(h, l.weight, { transposeB: true }), l.bias); // (B, h_l)
    h = activate(a, l.activation);
    derivs.push(derivative(a, h, l.activation));
  }
  const b = x.shape[0]!;
  const k = layers.at(-1)!.weight.shape[0]!;
  // M starts as D_L (B, k, k) applied to W_L, i.e. σ_L'(a_L)[:, :, None] · W_L: (B, k, h_{L-1}).
  let m = mul(reshape(derivs.at(-1)!, [b, k, 1]), layers.at(-1)!.weight);
  for (let l = layers.length - 2; l >= 0; l--) {
    const width = layers[l]!.weight.shape[0]!;
    m = mul(m, reshape(derivs[l]!, [b, 1, width])); // · D_l
    // (B·k, h_l) · W_l (h_l, h_{l-1}) → (B, k, h_{l-1})
    m = reshape(matmul(reshape(m, [b * k, width]), layers[l]!.weight), [b, k, layers[l]!.weight.shape[1]!]);
  }
  return mean(sum(square(reshape(m, [b, -1])), 1));
}

/** σ'(a) written from the layer output h where that is cheaper (sigmoid, tanh). */
function derivative(a: Tensor, h: Tensor, act: ActivationName): Tensor {
  switch (act) {
    case 'linear':
      return add(mul(a, 0), 1);
    case 'relu':
      return cast(greater(a, 0), a.dtype);
    case 'sigmoid':
      return mul(h, sub(1, h));
    case 'tanh':
      return sub(1, square(h));
    default:
      throw new Error(`contractive penalty: no derivative for activation '${act}'`);
  }
}
