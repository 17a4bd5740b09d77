/** A stack of Dense layers: dims [d0, d1, …, dn] with `activation` between and `finalActivation` last. */
import type { ActivationName, Rng, Tensor } from '../core/index.js';
import { Dense } from './dense.js';
import type { InitName } from './init.js';
import { Module, ModuleList } from './module.js';

export class Mlp extends Module {
  readonly layers: ModuleList<Dense>;

  constructor(dims: readonly number[], activation: ActivationName, finalActivation: ActivationName, rng: Rng, init?: InitName) {
    super();
    if (dims.length < 2) throw new Error(`an MLP needs at least two sizes, got [${dims.join(', ')}]`);
    const layers = dims.slice(1).map((out, i) => {
      const act = i === dims.length - 2 ? finalActivation : activation;
      return new Dense({ inFeatures: dims[i]!, outFeatures: out, activation: act, ...(init ? { init } : {}) }, rng);
    });
    this.layers = this.addModule('layers', new ModuleList(layers));
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.layers.items) h = layer.forward(h);
    return h;
  }
}
