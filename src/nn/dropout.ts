/** Dropout (Srivastava et al. 2014), inverted: training zeroes each value with probability p and scales the rest by 1/(1 − p); evaluation is the identity. */
import { cast, greaterEqual, mul, randomUniform, type Rng, type Tensor } from '../core/index.js';
import { Module } from './module.js';

export class Dropout extends Module {
  constructor(readonly p: number) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`dropout probability must be in [0, 1), got ${p}`);
  }

  /** x (B, …) → (B, …); `rng` draws the mask (required in training when p > 0). */
  forward(x: Tensor, rng?: Rng): Tensor {
    if (!this.training || this.p === 0) return x;
    if (!rng) throw new Error('dropout in training needs a random generator (ForwardOptions.rng)');
    const keep = cast(greaterEqual(randomUniform(x.shape, rng, 0, 1, x.dtype), this.p), x.dtype);
    return mul(x, mul(keep, 1 / (1 - this.p)));
  }

  override describe(): string {
    return `Dropout(${this.p})`;
  }
}
