/**
 * A stack of Dense layers: dims [d0, d1, …, dn] with `activation` between and `finalActivation` last.
 * Hidden layers may add batch norm (between the product and the activation) and dropout (after it);
 * norms live in their own list (`norms.i`) so the Dense layers keep their names (`layers.i`).
 */
import { activate, type ActivationName, type Rng, type Tensor } from '../core/index.js';
import { BatchNorm1d } from './batch-norm.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import type { InitName } from './init.js';
import { Module, ModuleList } from './module.js';

export interface MlpOptions {
  init?: InitName;
  /** Batch norm after each hidden layer's product. */
  batchNorm?: boolean;
  /** Dropout probability after each hidden layer's activation (0: none). */
  dropout?: number;
}

export class Mlp extends Module {
  readonly layers: ModuleList<Dense>;
  readonly norms: ModuleList<BatchNorm1d> | null;
  private readonly drop: Dropout | null;
  private readonly activation: ActivationName;

  constructor(dims: readonly number[], activation: ActivationName, finalActivation: ActivationName, rng: Rng, opts: MlpOptions = {}) {
    super();
    if (dims.length < 2) throw new Error(`an MLP needs at least two sizes, got [${dims.join(', ')}]`);
    this.activation = activation;
    const hidden = dims.length - 2;
    const layers = dims.slice(1).map((out, i) => {
      // With batch norm the activation comes after the norm, so the product stays linear.
      const act = i === hidden ? finalActivation : opts.batchNorm ? 'linear' : activation;
      const init = opts.init ?? undefined;
      return new Dense({ inFeatures: dims[i]!, outFeatures: out, activation: act, ...(init ? { init } : {}) }, rng);
    });
    this.layers = this.addModule('layers', new ModuleList(layers));
    this.norms = opts.batchNorm && hidden > 0 ? this.addModule('norms', new ModuleList(dims.slice(1, -1).map((f) => new BatchNorm1d({ features: f })))) : null;
    this.drop = opts.dropout ? this.addModule('dropout', new Dropout(opts.dropout)) : null;
  }

  /** x (B, d0) → (B, dn); `rng` draws dropout masks in training. */
  forward(x: Tensor, rng?: Rng): Tensor {
    let h = x;
    const last = this.layers.items.length - 1;
    this.layers.items.forEach((layer, i) => {
      h = layer.forward(h);
      if (i === last) return;
      if (this.norms) h = activate(this.norms.items[i]!.forward(h), this.activation);
      if (this.drop) h = this.drop.forward(h, rng);
    });
    return h;
  }
}
