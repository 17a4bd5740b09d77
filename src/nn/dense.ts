/** Dense (fully connected) layer: y = act(x·Wᵀ + b) with W stored (out, in) as in PyTorch's nn.Linear. */
import { dense, type ActivationName, type Rng, type Tensor } from '../core/index.js';
import { defaultInitFor, initBias, initWeight, type InitName } from './init.js';
import { Module } from './module.js';
import { reportLayerOutput } from './probe.js';

export interface DenseConfig {
  inFeatures: number;
  outFeatures: number;
  activation: ActivationName;
  init?: InitName;
}

export class Dense extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(
    readonly config: DenseConfig,
    rng: Rng,
  ) {
    super();
    const { inFeatures, outFeatures, activation } = config;
    const init = config.init ?? defaultInitFor(activation);
    this.weight = this.addParameter('weight', initWeight(init, [outFeatures, inFeatures], rng));
    this.bias = this.addParameter('bias', initBias(init, outFeatures, inFeatures, rng));
  }

  /** x (B, in) → (B, out) */
  forward(x: Tensor): Tensor {
    const y = dense(x, this.weight, this.bias, this.config.activation);
    reportLayerOutput(this.weight.name.replace(/\.weight$/, ''), y);
    return y;
  }

  computeOutputShape(input: readonly number[]): number[] {
    return [...input.slice(0, -1), this.config.outFeatures];
  }

  override describe(): string {
    return `Dense(${this.config.inFeatures}→${this.config.outFeatures}, ${this.config.activation})`;
  }
}
