/** Axis tick placement and labels: "nice" steps of 1, 2 or 5 × 10^k, and decades on log axes. */

export interface Ticks {
  /** Tick positions in data units, ascending, all inside [lo, hi]. */
  values: number[];
  /** One label per tick. */
  labels: string[];
}

/** A step of 1, 2 or 5 × 10^k that splits `range` into about `target` parts. */
export function niceStep(range: number, target = 6): number {
  const raw = range / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

/** Ticks at multiples of a nice step inside [lo, hi] (lo < hi, both finite); `integer` keeps the step at 1 or more. */
export function linearTicks(lo: number, hi: number, target = 6, integer = false): Ticks {
  const step = integer ? Math.max(1, niceStep(hi - lo, target)) : niceStep(hi - lo, target);
  const values: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) values.push(clean(k * step));
  return { values, labels: values.map((v) => formatTick(v, step)) };
}

/**
 * Ticks for a log axis over [lo, hi] (0 < lo < hi): powers of ten, thinned when there are many
 * decades, or 1-2-5 (then 1..9) multiples when there are few; a range inside one decade falls
 * back to linear ticks.
 */
export function logTicks(lo: number, hi: number, target = 6): Ticks {
  const e0 = Math.floor(Math.log10(lo)), e1 = Math.ceil(Math.log10(hi));
  const decades = e1 - e0;
  if (decades > target) {
    const every = Math.ceil(decades / target);
    const values: number[] = [];
    for (let e = Math.ceil(e0 / every) * every; e <= e1; e += every) if (10 ** e >= lo && 10 ** e <= hi) values.push(clean(10 ** e));
    return { values, labels: values.map(formatNumber) };
  }
  for (const mantissas of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const values: number[] = [];
    for (let e = e0; e <= e1; e++) {
      for (const m of mantissas) {
        const v = clean(m * 10 ** e);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) values.push(v);
      }
    }
    if (values.length >= 3 && values.length <= 2 * target) return { values, labels: values.map(formatNumber) };
  }
  return linearTicks(lo, hi, target);
}

/** Label for tick `v` on an axis with spacing `step`: as many decimals as the step needs, exponent form for extreme magnitudes. */
export function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  const stepExp = Math.floor(Math.log10(step) + 1e-9);
  if (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3 || stepExp < -4) {
    const digits = Math.max(0, Math.floor(Math.log10(Math.abs(v)) + 1e-9) - stepExp);
    return trimExponent(v.toExponential(Math.min(digits, 15)));
  }
  return v.toFixed(Math.max(0, -stepExp));
}

/** The shortest readable form of `v`, e.g. 0.002, 250, 1e-5, 2.5e6. */
export function formatNumber(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(clean(v));
  return trimExponent(clean(v).toExponential());
}

function trimExponent(s: string): string {
  // "1.50e-4" -> "1.5e-4", "2.0e+5" -> "2e5"
  const [mant = s, exp = '0'] = s.split('e');
  const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
  return `${m}e${Number(exp)}`;
}

/** Remove floating-point noise such as 0.30000000000000004. */
function clean(v: number): number {
  return Number(v.toPrecision(12));
}
