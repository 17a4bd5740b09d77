/**
 * A stack of Dense layers: dims [d0, d1, …, dn] with `activation` between and `finalActivation` last.
 * Hidden layers may add batch norm (between the product and the activation) and dropout (after it);
 * norms live in their own list (`norms.i`) so the Dense layers keep their names (`layers.i`).
 * An optional side input s (B, sideFeatures) is concatenated to x at the first layer (a conditional
 * model's one-hot class): act(W·[x; s] + b) = act(Wₓ·x + b + Wₛ·s), with Wₛ kept as `side_weight`.
 */
import { activate, add, matmul, tensor, type ActivationName, type Rng, type Tensor } from '../core/index.js';
import { BatchNorm1d } from './batch-norm.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { defaultInitFor, initBias, initWeight, type InitName } from './init.js';
import { Module, ModuleList } from './module.js';

export interface MlpOptions {
  init?: InitName;
  /** Batch norm after each hidden layer's product. */
  batchNorm?: boolean;
  /** Dropout probability after each hidden layer's activation (0: none). */
  dropout?: number;
  /** Width of a side input concatenated to the input at the first layer (0: none). */
  sideFeatures?: number;
}

export class Mlp extends Module {
  readonly layers: ModuleList<Dense>;
  readonly norms: ModuleList<BatchNorm1d> | null;
  /** Wₛ (d1, sideFeatures): the first layer's columns for the side input, or null without one. */
  readonly sideWeight: Tensor | null;
  private readonly drop: Dropout | null;
  private readonly activation: ActivationName;
  private readonly finalActivation: ActivationName;

  constructor(dims: readonly number[], activation: ActivationName, finalActivation: ActivationName, rng: Rng, opts: MlpOptions = {}) {
    super();
    if (dims.length < 2) throw new Error(`an MLP needs at least two sizes, got [${dims.join(', ')}]`);
    this.activation = activation;
    this.finalActivation = finalActivation;
    const hidden = dims.length - 2;
    const side = opts.sideFeatures ?? 0;
    const layers = dims.slice(1).map((out, i) => {
      const wanted = i === hidden ? finalActivation : activation;
      // With batch norm or a side input the activation comes later, so the product stays linear.
      const act = (i === 0 && side > 0) || (i < hidden && opts.batchNorm) ? 'linear' : wanted;
      const init = opts.init ?? undefined;
      return new Dense({ inFeatures: dims[i]!, outFeatures: out, activation: act, ...(init ? { init } : {}) }, rng);
    });
    this.layers = this.addModule('layers', new ModuleList(layers));
    this.norms = opts.batchNorm && hidden > 0 ? this.addModule('norms', new ModuleList(dims.slice(1, -1).map((f) => new BatchNorm1d({ features: f })))) : null;
    this.drop = opts.dropout ? this.addModule('dropout', new Dropout(opts.dropout)) : null;
    this.sideWeight = side > 0 ? this.addParameter('side_weight', this.initJoint(layers[0]!, side, opts.init ?? defaultInitFor(hidden === 0 ? finalActivation : activation), rng)) : null;
  }

  /** x (B, d0) → (B, dn); `rng` draws dropout masks in training; `side` (B, sideFeatures) when the MLP takes one. */
  forward(x: Tensor, rng?: Rng, side?: Tensor): Tensor {
    if ((side !== undefined) !== (this.sideWeight !== null)) {
      throw new Error(this.sideWeight ? `this MLP needs a side input of ${this.sideWeight.shape[1]} features` : 'this MLP takes no side input');
    }
    let h = x;
    const last = this.layers.items.length - 1;
    this.layers.items.forEach((layer, i) => {
      h = layer.forward(h);
      if (i === 0 && side) h = this.addSide(h, side, i === last);
      if (i === last) return;
      if (this.norms) h = activate(this.norms.items[i]!.forward(h), this.activation);
      if (this.drop) h = this.drop.forward(h, rng);
    });
    return h;
  }

  override describe(): string {
    return this.sideWeight ? `side input (${this.sideWeight.shape[1]}→${this.sideWeight.shape[0]}, into layers.0)` : 'Mlp';
  }

  /** h (B, d1) + s·Wₛᵀ, then the activation the first layer deferred (a norm, when there is one, comes first). */
  private addSide(h: Tensor, side: Tensor, last: boolean): Tensor {
    const pre = add(h, matmul(side, this.sideWeight!, { transposeB: true })); // (B, s)·(s, d1) → (B, d1)
    if (last) return activate(pre, this.finalActivation);
    return this.norms ? pre : activate(pre, this.activation);
  }

  /**
   * The first layer's weights drawn as one (d1, d0 + side) matrix, with the fan-in of the
   * concatenation, then split: the x columns go to layers.0, the side columns are returned.
   */
  private initJoint(first: Dense, side: number, init: InitName, rng: Rng): Tensor {
    const { inFeatures: n, outFeatures: out } = first.config;
    const joint = initWeight(init, [out, n + side], rng);
    const bias = initBias(init, out, n + side, rng);
    const wx = new Float32Array(out * n);
    const ws = new Float32Array(out * side);
    for (let r = 0; r < out; r++) {
      const row = joint.data.subarray(r * (n + side), (r + 1) * (n + side));
      wx.set(row.subarray(0, n), r * n);
      ws.set(row.subarray(n), r * side);
    }
    first.weight.assign(wx);
    first.bias.assign(bias.data);
    joint.dispose();
    bias.dispose();
    return tensor(ws, [out, side]);
  }
}
