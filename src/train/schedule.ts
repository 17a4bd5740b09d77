/** The learning-rate schedule and the optimizer a run config asks for. */
import { createOptimizer, type Optimizer } from '../nn/optim/index.js';
import { createSchedule, type Schedule } from '../nn/schedules.js';
import type { RunConfig, TrainConfig } from './config.js';

export function makeSchedule(c: TrainConfig, baseLr: number): Schedule {
  switch (c.schedule) {
    case 'none': return createSchedule({ kind: 'constant' }, baseLr);
    case 'step': return createSchedule({ kind: 'step', stepSize: c.stepSize, gamma: c.gamma }, baseLr);
    case 'cosine': return createSchedule({ kind: 'cosine', tMax: c.epochs }, baseLr);
    case 'plateau': return createSchedule({ kind: 'reduceOnPlateau', patience: c.stepSize, factor: Math.min(c.gamma, 0.999) }, baseLr);
  }
}

export type { Schedule };

/** The optimizer a run config asks for (momentum only where it was given). */
export function makeOptimizer(config: Pick<RunConfig, 'optimizer'>): Optimizer {
  const { momentum, ...rest } = config.optimizer;
  return createOptimizer(momentum === null ? rest : { ...rest, momentum });
}
