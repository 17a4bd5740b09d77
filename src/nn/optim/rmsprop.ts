/**
 * RMSprop (Hinton, Coursera lecture 6e) as torch.optim.RMSprop in PyTorch 1.13, uncentered:
 * s ← αs + (1 − α)g²; p ← p − lr·g/(√s + ε), or through a momentum buffer b ← μb + g/(√s + ε).
 */
import { add, div, mul, runKernelMulti, sqrt, type Tensor, empty } from '../../core/index.js';
import type { ResolvedOptimizerConfig } from './config.js';
import { BaseOptimizer, type OptimizerOptions, type ParamState } from './optimizer.js';

export class Rmsprop extends BaseOptimizer {
  constructor(override readonly config: ResolvedOptimizerConfig, opts: OptimizerOptions = {}) {
    super(config, config.momentum > 0 ? ['square_avg', 'momentum_buffer'] : ['square_avg'], 'RmspropUpdate', opts);
  }

  protected update(p: Tensor, g: Tensor, s: ParamState): void {
    const { alpha, eps, weightDecay, momentum } = this.config;
    const [sq, buf] = s.buffers as [Tensor, Tensor | undefined];
    const lr = this.lr;
    if (this.fused) {
      runKernelMulti('RmspropUpdate', [p, g, sq, buf ?? empty([0], p.dtype)], { lr, alpha, eps, weightDecay, momentum });
      return;
    }
    const gi = weightDecay !== 0 ? add(g, mul(p, weightDecay)) : g;
    sq.assign(add(mul(sq, alpha), mul(mul(gi, 1 - alpha), gi)).data);
    const avg = add(sqrt(sq), eps);
    if (buf) {
      buf.assign(add(mul(buf, momentum), div(gi, avg)).data);
      p.assign(add(p, mul(buf, -lr)).data);
    } else {
      p.assign(add(p, div(mul(gi, -lr), avg)).data);
    }
  }
}
