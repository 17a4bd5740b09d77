/** Optimizers: SGD (plain, momentum, Nesterov), RMSprop, Adam and AdamW with PyTorch semantics. */
import { Adam } from './adam.js';
import { resolveOptimizerConfig } from './config.js';
import type { Optimizer, OptimizerConfig, OptimizerOptions } from './optimizer.js';
import { Rmsprop } from './rmsprop.js';
import { Sgd } from './sgd.js';

export type { Optimizer, OptimizerConfig, OptimizerKind, OptimizerOptions, OptimizerState } from './optimizer.js';
export { resolveOptimizerConfig, type ResolvedOptimizerConfig } from './config.js';

/**
 * An optimizer for `config` (defaults as torch.optim). It updates parameters in place with the
 * backend's fused kernel when there is one, else with ops.
 *
 *   const opt = createOptimizer({ kind: 'adam', lr: 1e-3 });
 *   opt.step(model.parameters(), backward(loss));
 */
export function createOptimizer(config: OptimizerConfig, opts: OptimizerOptions = {}): Optimizer {
  const c = resolveOptimizerConfig(config);
  switch (c.kind) {
    case 'sgd':
    case 'momentum':
    case 'nesterov':
      return new Sgd(c, opts);
    case 'rmsprop':
      return new Rmsprop(c, opts);
    case 'adam':
    case 'adamw':
      return new Adam(c, opts);
  }
}
