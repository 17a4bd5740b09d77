/**
 * Batch normalisation over features (Ioffe & Szegedy 2015, eq. in Alg. 1), as PyTorch's BatchNorm1d:
 * training normalises with the batch's mean and biased variance and moves the running statistics
 * (momentum 0.1, unbiased variance); evaluation normalises with the running statistics.
 */
import { add, div, full, mean, mul, noGrad, sqrt, square, sub, type Tensor } from '../core/index.js';
import { Module } from './module.js';

export interface BatchNormConfig {
  features: number;
  eps?: number;
  momentum?: number;
}

export class BatchNorm1d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  private readonly eps: number;
  private readonly momentum: number;

  constructor(readonly config: BatchNormConfig) {
    super();
    const f = config.features;
    this.eps = config.eps ?? 1e-5;
    this.momentum = config.momentum ?? 0.1;
    this.weight = this.addParameter('weight', full([f], 1));
    this.bias = this.addParameter('bias', full([f], 0));
    this.runningMean = this.addBuffer('running_mean', full([f], 0));
    this.runningVar = this.addBuffer('running_var', full([f], 1));
  }

  /** x (B, F) → (B, F) */
  forward(x: Tensor): Tensor {
    if (!this.training) return this.affine(div(sub(x, this.runningMean), sqrt(add(this.runningVar, this.eps))));
    const b = x.shape[0]!;
    if (b < 2) throw new Error(`batch norm needs at least 2 samples per batch in training, got ${b}`);
    const mu = mean(x, 0); // (F)
    const centred = sub(x, mu);
    const variance = mean(square(centred), 0); // biased, as the normalisation uses
    this.track(mu, variance, b);
    return this.affine(div(centred, sqrt(add(variance, this.eps))));
  }

  private affine(xHat: Tensor): Tensor {
    return add(mul(xHat, this.weight), this.bias);
  }

  /** running ← (1 − momentum)·running + momentum·batch, the variance made unbiased (× B/(B−1)). */
  private track(mu: Tensor, variance: Tensor, b: number): void {
    noGrad(() => {
      const m = this.momentum;
      this.runningMean.assign(add(mul(this.runningMean, 1 - m), mul(mu, m)).data);
      this.runningVar.assign(add(mul(this.runningVar, 1 - m), mul(variance, (m * b) / (b - 1))).data);
    });
  }

  override describe(): string {
    return `BatchNorm1d(${this.config.features})`;
  }
}
