/**
 * Optimizer settings: the one definition of their fields and bounds (the run configuration and the
 * CLI flags use these same fields), with PyTorch's defaults filled in by kind.
 */
import { nullable, number, oneOf, type Field, type Schema } from '../../util/schema.js';
import type { OptimizerConfig, OptimizerKind } from './optimizer.js';

export type ResolvedOptimizerConfig = Required<OptimizerConfig>;

const KINDS = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw'] as const satisfies readonly OptimizerKind[];

/** Optimizer settings as a run configuration holds them (momentum null: the kind's default). */
export interface OptimizerSettings {
  kind: OptimizerKind;
  lr: number;
  momentum: number | null;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  alpha: number;
}

export const optimizerSchema: Schema<OptimizerSettings> = {
  kind: oneOf('optimizer', KINDS, 'adam'),
  lr: number('learning rate', 1e-3, { positive: true }),
  momentum: nullable(number('momentum (default: 0.9 for momentum and nesterov, 0 for rmsprop)', 0.9, { min: 0, max: 1 })),
  beta1: number('Adam β1', 0.9, { min: 0, below: 1 }),
  beta2: number('Adam β2', 0.999, { min: 0, below: 1 }),
  eps: number('Adam/RMSprop ε', 1e-8, { positive: true }),
  weightDecay: number('weight decay (L2; decoupled for adamw)', 0, { min: 0 }),
  alpha: number('RMSprop smoothing constant', 0.99, { min: 0, max: 1 }),
};

/** Fill defaults (torch.optim's) and check every value against `optimizerSchema`; throws naming the option. */
export function resolveOptimizerConfig(c: OptimizerConfig): ResolvedOptimizerConfig {
  const kind = field('kind', c.kind);
  const momentumDefault = kind === 'momentum' || kind === 'nesterov' ? 0.9 : 0;
  const r: ResolvedOptimizerConfig = {
    kind,
    lr: field('lr', c.lr),
    momentum: kind === 'sgd' || kind === 'adam' || kind === 'adamw' ? 0 : field('momentum', c.momentum ?? momentumDefault) ?? momentumDefault,
    beta1: field('beta1', c.beta1 ?? 0.9),
    beta2: field('beta2', c.beta2 ?? 0.999),
    eps: field('eps', c.eps ?? 1e-8),
    weightDecay: field('weightDecay', c.weightDecay ?? (kind === 'adamw' ? 0.01 : 0)),
    alpha: field('alpha', c.alpha ?? 0.99),
  };
  if (r.kind === 'nesterov' && r.momentum === 0) throw new Error('optimizer config: nesterov needs momentum > 0');
  return r;
}

function field<K extends keyof OptimizerSettings>(key: K, v: unknown): OptimizerSettings[K] {
  try {
    return (optimizerSchema[key] as Field<OptimizerSettings[K]>).check(v);
  } catch (err) {
    throw new Error(`optimizer config: ${key}: ${(err as Error).message}`);
  }
}
