/**
 * Adam (Kingma & Ba 2015, Algorithm 1) with L2 weight decay, and AdamW (Loshchilov & Hutter 2019)
 * with decoupled decay p ← p·(1 − lr·λ), both as PyTorch 1.13's single-tensor torch.optim code.
 */
import { add, div, mul, runKernelMulti, sqrt, type Tensor } from '../../core/index.js';
import type { ResolvedOptimizerConfig } from './config.js';
import { BaseOptimizer, type OptimizerOptions, type ParamState } from './optimizer.js';

export class Adam extends BaseOptimizer {
  constructor(override readonly config: ResolvedOptimizerConfig, opts: OptimizerOptions = {}) {
    super(config, ['exp_avg', 'exp_avg_sq'], 'AdamUpdate', opts);
  }

  protected update(p: Tensor, g: Tensor, s: ParamState): void {
    const { beta1, beta2, eps, weightDecay } = this.config;
    const decoupled = this.config.kind === 'adamw';
    const [m, v] = s.buffers as [Tensor, Tensor];
    const lr = this.lr;
    if (this.fused) {
      runKernelMulti('AdamUpdate', [p, g, m, v], { lr, beta1, beta2, eps, weightDecay, decoupled, step: s.step });
      return;
    }
    let [gi, pi] = [g, p];
    if (decoupled) pi = mul(p, 1 - lr * weightDecay);
    else if (weightDecay !== 0) gi = add(g, mul(p, weightDecay));
    m.assign(add(mul(m, beta1), mul(gi, 1 - beta1)).data);
    v.assign(add(mul(v, beta2), mul(mul(gi, 1 - beta2), gi)).data);
    // Bias corrections: m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), folded into the step size as PyTorch does.
    const stepSize = lr / (1 - beta1 ** s.step);
    const denom = add(div(sqrt(v), Math.sqrt(1 - beta2 ** s.step)), eps);
    p.assign(add(pi, div(mul(m, -stepSize), denom)).data);
  }
}
