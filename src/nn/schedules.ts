/**
 * Per-epoch learning-rate schedules with the semantics of torch.optim.lr_scheduler's StepLR,
 * CosineAnnealingLR and ReduceLROnPlateau. A trainer asks `lrFor(epoch)` before each epoch and
 * calls `onEpochEnd(epoch, valLoss)` after it, which returns the rate for the next epoch.
 * `state()` is plain JSON; `loadState` on a fresh schedule resumes it exactly.
 *
 *   const sched = createSchedule({ kind: 'cosine', tMax: 50 }, 1e-3);
 *   for (let e = 0; e < 50; e++) { opt.lr = sched.lrFor(e); trainEpoch(); sched.onEpochEnd(e, valLoss); }
 */

export type ScheduleConfig =
  | { kind: 'constant' }
  /** lr·γ^⌊epoch/stepSize⌋ (StepLR; γ defaults to 0.1). */
  | { kind: 'step'; stepSize: number; gamma?: number }
  /** etaMin + (lr − etaMin)(1 + cos(π·epoch/tMax))/2 (CosineAnnealingLR, Loshchilov & Hutter 2017). */
  | { kind: 'cosine'; tMax: number; etaMin?: number }
  /** Multiply lr by `factor` after more than `patience` epochs without improvement (ReduceLROnPlateau). */
  | {
      kind: 'reduceOnPlateau';
      mode?: 'min' | 'max';
      factor?: number;
      patience?: number;
      threshold?: number;
      thresholdMode?: 'rel' | 'abs';
      cooldown?: number;
      minLr?: number;
    };

/** JSON-safe schedule state; `best` is null until the first metric. */
export interface ScheduleState {
  kind: ScheduleConfig['kind'];
  epochsDone: number;
  lr: number;
  best: number | null;
  numBadEpochs: number;
  cooldownCounter: number;
}

export interface Schedule {
  readonly config: ScheduleConfig;
  readonly baseLr: number;
  /** The rate for `epoch` (0-based). For reduceOnPlateau it is the current rate whatever the epoch. */
  lrFor(epoch: number): number;
  /** Record the end of `epoch` with its monitored metric (validation loss); returns the rate for epoch + 1. */
  onEpochEnd(epoch: number, metric: number): number;
  state(): ScheduleState;
  loadState(s: unknown): void;
}

type Plateau = Required<Extract<ScheduleConfig, { kind: 'reduceOnPlateau' }>>;

/** PyTorch drops a reduction smaller than this (ReduceLROnPlateau's eps). */
const MIN_REDUCTION = 1e-8;

export function createSchedule(config: ScheduleConfig, baseLr: number): Schedule {
  if (!(baseLr >= 0) || !Number.isFinite(baseLr)) throw new Error(`schedule: base lr must be a finite number ≥ 0, got ${baseLr}`);
  return new EpochSchedule(validate(config), baseLr);
}

function validate(c: ScheduleConfig): ScheduleConfig {
  const need = (name: string, v: number | undefined, ok: (x: number) => boolean, what: string): void => {
    if (v !== undefined && !(typeof v === 'number' && ok(v))) throw new Error(`schedule '${c.kind}': ${name} must be ${what}, got ${v}`);
  };
  switch (c.kind) {
    case 'constant':
      return c;
    case 'step':
      need('stepSize', c.stepSize, (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
      need('gamma', c.gamma, (x) => x > 0 && Number.isFinite(x), 'a positive number');
      return c;
    case 'cosine':
      need('tMax', c.tMax, (x) => Number.isInteger(x) && x >= 1, 'an integer ≥ 1');
      need('etaMin', c.etaMin, (x) => x >= 0 && Number.isFinite(x), 'a number ≥ 0');
      return c;
    case 'reduceOnPlateau': {
      const p = plateauDefaults(c);
      need('factor', p.factor, (x) => x > 0 && x < 1, 'in (0, 1)');
      need('patience', p.patience, (x) => Number.isInteger(x) && x >= 0, 'an integer ≥ 0');
      need('cooldown', p.cooldown, (x) => Number.isInteger(x) && x >= 0, 'an integer ≥ 0');
      need('threshold', p.threshold, (x) => x >= 0 && Number.isFinite(x), 'a number ≥ 0');
      need('minLr', p.minLr, (x) => x >= 0 && Number.isFinite(x), 'a number ≥ 0');
      if (p.mode !== 'min' && p.mode !== 'max') throw new Error(`schedule 'reduceOnPlateau': mode must be 'min' or 'max', got ${JSON.stringify(p.mode)}`);
      if (p.thresholdMode !== 'rel' && p.thresholdMode !== 'abs') throw new Error(`schedule 'reduceOnPlateau': thresholdMode must be 'rel' or 'abs', got ${JSON.stringify(p.thresholdMode)}`);
      return p;
    }
    default:
      throw new Error(`schedule: kind must be constant, step, cosine or reduceOnPlateau, got ${JSON.stringify((c as { kind: unknown }).kind)}`);
  }
}

function plateauDefaults(c: Extract<ScheduleConfig, { kind: 'reduceOnPlateau' }>): Plateau {
  return { kind: c.kind, mode: c.mode ?? 'min', factor: c.factor ?? 0.1, patience: c.patience ?? 10, threshold: c.threshold ?? 1e-4, thresholdMode: c.thresholdMode ?? 'rel', cooldown: c.cooldown ?? 0, minLr: c.minLr ?? 0 };
}

class EpochSchedule implements Schedule {
  private s: ScheduleState;

  constructor(
    readonly config: ScheduleConfig,
    readonly baseLr: number,
  ) {
    this.s = { kind: config.kind, epochsDone: 0, lr: baseLr, best: null, numBadEpochs: 0, cooldownCounter: 0 };
  }

  lrFor(epoch: number): number {
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`schedule: epoch must be an integer ≥ 0, got ${epoch}`);
    const c = this.config;
    switch (c.kind) {
      case 'constant':
        return this.baseLr;
      case 'step':
        return this.baseLr * (c.gamma ?? 0.1) ** Math.floor(epoch / c.stepSize);
      case 'cosine': {
        const etaMin = c.etaMin ?? 0;
        return etaMin + ((this.baseLr - etaMin) * (1 + Math.cos((Math.PI * epoch) / c.tMax))) / 2;
      }
      case 'reduceOnPlateau':
        return this.s.lr;
    }
  }

  onEpochEnd(epoch: number, metric: number): number {
    if (epoch !== this.s.epochsDone) throw new Error(`schedule: onEpochEnd(${epoch}) out of order; expected epoch ${this.s.epochsDone}`);
    if (this.config.kind === 'reduceOnPlateau') {
      if (typeof metric !== 'number') throw new Error(`schedule 'reduceOnPlateau': onEpochEnd needs the monitored metric, got ${metric}`);
      this.plateauStep(this.config as Plateau, metric);
    }
    this.s.epochsDone = epoch + 1;
    return this.lrFor(epoch + 1);
  }

  /** ReduceLROnPlateau.step: NaN never counts as an improvement. */
  private plateauStep(p: Plateau, metric: number): void {
    const s = this.s;
    if (this.isBetter(p, metric)) {
      s.best = metric;
      s.numBadEpochs = 0;
    } else s.numBadEpochs++;
    if (s.cooldownCounter > 0) {
      s.cooldownCounter--;
      s.numBadEpochs = 0;
    }
    if (s.numBadEpochs > p.patience) {
      const next = Math.max(s.lr * p.factor, p.minLr);
      if (s.lr - next > MIN_REDUCTION) s.lr = next;
      s.cooldownCounter = p.cooldown;
      s.numBadEpochs = 0;
    }
  }

  private isBetter(p: Plateau, a: number): boolean {
    const best = this.s.best;
    if (best === null) return p.mode === 'min' ? a < Infinity : a > -Infinity;
    if (p.mode === 'min') return p.thresholdMode === 'rel' ? a < best * (1 - p.threshold) : a < best - p.threshold;
    return p.thresholdMode === 'rel' ? a > best * (1 + p.threshold) : a > best + p.threshold;
  }

  state(): ScheduleState {
    return { ...this.s };
  }

  loadState(raw: unknown): void {
    const s = raw as Partial<ScheduleState> | null;
    if (!s || typeof s !== 'object') throw new Error(`schedule state must be an object, got ${JSON.stringify(raw)}`);
    if (s.kind !== this.config.kind) throw new Error(`schedule state is for '${String(s.kind)}', but this schedule is '${this.config.kind}'`);
    for (const k of ['epochsDone', 'lr', 'numBadEpochs', 'cooldownCounter'] as const) {
      if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) throw new Error(`schedule state: ${k} must be a finite number, got ${JSON.stringify(s[k])}`);
    }
    if (s.best !== null && typeof s.best !== 'number') throw new Error(`schedule state: best must be a number or null, got ${JSON.stringify(s.best)}`);
    this.s = { kind: s.kind, epochsDone: s.epochsDone!, lr: s.lr!, best: s.best ?? null, numBadEpochs: s.numBadEpochs!, cooldownCounter: s.cooldownCounter! };
  }
}
