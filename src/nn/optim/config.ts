/** Optimizer settings with PyTorch's defaults filled in, and validation that names the bad option. */
import type { OptimizerConfig, OptimizerKind } from './optimizer.js';

export type ResolvedOptimizerConfig = Required<OptimizerConfig>;

const KINDS: readonly OptimizerKind[] = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw'];

/** Fill defaults (torch.optim's) and check ranges; throws naming the option. */
export function resolveOptimizerConfig(c: OptimizerConfig): ResolvedOptimizerConfig {
  if (!KINDS.includes(c.kind)) throw new Error(`optimizer config: kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(c.kind)}`);
  const momentumDefault = c.kind === 'momentum' || c.kind === 'nesterov' ? 0.9 : 0;
  const r: ResolvedOptimizerConfig = {
    kind: c.kind,
    lr: c.lr,
    momentum: c.kind === 'sgd' || c.kind === 'adam' || c.kind === 'adamw' ? 0 : c.momentum ?? momentumDefault,
    beta1: c.beta1 ?? 0.9,
    beta2: c.beta2 ?? 0.999,
    eps: c.eps ?? 1e-8,
    weightDecay: c.weightDecay ?? (c.kind === 'adamw' ? 0.01 : 0),
    alpha: c.alpha ?? 0.99,
  };
  check('lr', r.lr, 0, Infinity, false);
  check('momentum', r.momentum, 0, Infinity, false);
  check('beta1', r.beta1, 0, 1, true);
  check('beta2', r.beta2, 0, 1, true);
  check('eps', r.eps, 0, Infinity, false);
  check('weightDecay', r.weightDecay, 0, Infinity, false);
  check('alpha', r.alpha, 0, Infinity, false);
  if (r.kind === 'nesterov' && r.momentum === 0) throw new Error('optimizer config: nesterov needs momentum > 0');
  return r;
}

function check(name: string, v: number, lo: number, hi: number, openHi: boolean): void {
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= lo && (openHi ? v < hi : v <= hi);
  if (!ok) throw new Error(`optimizer config: ${name} must be a number in [${lo}, ${hi === Infinity ? '∞' : hi}${openHi ? ')' : ']'}, got ${v}`);
}
