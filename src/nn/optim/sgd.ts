/**
 * SGD with optional momentum (heavy ball or Nesterov) and L2 weight decay, as torch.optim.SGD
 * (PyTorch 1.13, dampening 0): v ← μv + g (v ← g on the first step); p ← p − lr·(g + μv or v).
 */
import { add, empty, mul, runKernelMulti, type Tensor } from '../../core/index.js';
import type { ResolvedOptimizerConfig } from './config.js';
import { BaseOptimizer, type OptimizerOptions, type ParamState } from './optimizer.js';

export class Sgd extends BaseOptimizer {
  private readonly dampening = 0;

  constructor(override readonly config: ResolvedOptimizerConfig, opts: OptimizerOptions = {}) {
    super(config, config.momentum !== 0 ? ['momentum_buffer'] : [], 'SgdUpdate', opts);
  }

  protected update(p: Tensor, g: Tensor, s: ParamState): void {
    const { momentum, weightDecay } = this.config;
    const nesterov = this.config.kind === 'nesterov';
    const buf = s.buffers[0];
    if (this.fused) {
      const attrs = { lr: this.lr, momentum, dampening: this.dampening, weightDecay, nesterov, first: s.created };
      runKernelMulti('SgdUpdate', [p, g, buf ?? empty([0], p.dtype)], attrs);
      return;
    }
    let d = weightDecay !== 0 ? add(g, mul(p, weightDecay)) : g;
    if (buf) {
      buf.assign((s.created ? d : add(mul(buf, momentum), mul(d, 1 - this.dampening))).data);
      d = nesterov ? add(d, mul(buf, momentum)) : buf;
    }
    p.assign(add(p, mul(d, -this.lr)).data);
  }
}
