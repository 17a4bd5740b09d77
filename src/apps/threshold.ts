/**
 * Where an anomaly detector draws its line, from its training rows' scores: above the (1 − c)
 * quantile for an expected contamination c (PyOD's `contamination`), above the p-th percentile,
 * or at a fixed score.
 */
export type ThresholdRule =
  | { kind: 'contamination'; value: number }
  | { kind: 'percentile'; value: number }
  | { kind: 'fixed'; value: number };

/** Check a rule's value; throws naming the rule. */
export function checkThresholdRule(rule: ThresholdRule): ThresholdRule {
  const v = rule.value;
  if (rule.kind === 'contamination' && !(v > 0 && v < 0.5)) throw new Error(`contamination must be in (0, 0.5), got ${v}`);
  if (rule.kind === 'percentile' && !(v > 0 && v < 100)) throw new Error(`percentile must be in (0, 100), got ${v}`);
  if (rule.kind === 'fixed' && !Number.isFinite(v)) throw new Error(`a fixed threshold must be a finite number, got ${v}`);
  return rule;
}

/** The threshold `rule` gives on training scores `sorted` (ascending). */
export function thresholdFrom(rule: ThresholdRule, sorted: Float64Array): number {
  checkThresholdRule(rule);
  if (rule.kind === 'fixed') return rule.value;
  if (sorted.length === 0) throw new Error('a threshold from training scores needs at least one score');
  const q = rule.kind === 'contamination' ? 1 - rule.value : rule.value / 100;
  return quantile(sorted, q);
}

/** Linear interpolation between order statistics (NumPy's default percentile), of ascending values. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}
