/**
 * Pruners decide from per-epoch values (lower is better) whether a trial should stop early.
 * - median: stop when the trial's value at epoch e is worse than the median of the other trials'
 *   values at e (after `startup` trials and `warmup` epochs), as Google Vizier's median rule.
 * - asha: asynchronous successive halving (Li et al. 2020, "A System for Massively Parallel
 *   Hyperparameter Tuning", Alg. 2): rungs at epochs r·η^k; a trial reaching a rung goes on only
 *   if it is in the top 1/η of all values recorded at that rung so far.
 */
export type PrunerName = 'none' | 'median' | 'asha';
export const PRUNERS: readonly PrunerName[] = ['none', 'median', 'asha'];

/** Values recorded at one epoch by every trial that reached it, keyed by trial number. */
export type Intermediates = ReadonlyMap<number, number>;

export interface PrunerOptions { startup?: number; warmup?: number; eta?: number; minResource?: number }

/**
 * Should trial `trial` stop after reporting `value` when `epoch` epochs are done (1 after the first;
 * training events count from 0)? `atEpoch` holds all values at that epoch, its own included.
 */
export function shouldPrune(name: PrunerName, trial: number, epoch: number, value: number, atEpoch: Intermediates, o: PrunerOptions = {}): boolean {
  if (!Number.isFinite(value)) return name !== 'none';
  if (name === 'median') {
    const others = [...atEpoch].filter(([t]) => t !== trial).map(([, v]) => v).filter(Number.isFinite);
    if (epoch <= (o.warmup ?? 0) || others.length < (o.startup ?? 4)) return false;
    return value > median(others);
  }
  if (name === 'asha') {
    const eta = o.eta ?? 3;
    const r = o.minResource ?? 1;
    const k = Math.log(epoch / r) / Math.log(eta);
    if (epoch < r || Math.abs(k - Math.round(k)) > 1e-9) return false; // not a rung
    const values = [...atEpoch.values()].filter(Number.isFinite).sort((a, b) => a - b);
    // Fewer than η values at the rung: only the best so far goes on (as Optuna's ASHA).
    const keep = Math.max(1, Math.floor(values.length / eta));
    return value > values[keep - 1]!;
  }
  return false;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
