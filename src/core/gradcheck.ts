/**
 * Gradient check: autograd against float64 central differences. The scalar checked is
 * L = Σ f(x)·w with a fixed random w, so every element of a non-scalar output contributes.
 */
import { backward } from './autograd.js';
import { keep, noGrad, tidy } from './engine.js';
import { clone, mul, randomUniform, sum } from './ops.js';
import { Rng } from './rng.js';
import { fmtShape } from './shape.js';
import type { Tensor } from './tensor.js';

export interface GradCheckOptions {
  /** Central-difference step. */
  eps?: number;
  /** Absolute tolerance. */
  atol?: number;
  /** Relative tolerance, applied to the numeric derivative's magnitude. */
  rtol?: number;
  /** Seed of the output weights w. */
  seed?: number;
}

export interface GradCheckResult {
  /** True when every element satisfies |autograd − numeric| ≤ atol + rtol·|numeric|. */
  readonly ok: boolean;
  /** Largest |autograd − numeric| over all inputs. */
  readonly maxAbsError: number;
  /** Worst |autograd − numeric| / (atol + rtol·|numeric|); ≤ 1 passes. */
  readonly worstRatio: number;
  /** Where the worst ratio occurred and its values, in one readable paragraph. */
  readonly report: string;
}

interface Worst {
  ratio: number;
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

/**
 * Compare autograd with central differences for every element of every input.
 * Inputs must be float64; they are copied, never modified.
 */
export function gradCheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradCheckOptions = {}): GradCheckResult {
  const { eps = 1e-6, atol = 1e-6, rtol = 1e-5, seed = 1234 } = opts;
  inputs.forEach((x, i) => {
    if (x.dtype !== 'float64') throw new Error(`gradCheck: input ${i} ${fmtShape(x.shape)} is ${x.dtype}; gradient checks need float64 inputs`);
  });
  if (!(eps > 0)) throw new Error(`gradCheck: eps must be positive, got ${eps}`);
  const xs = inputs.map((x) => keep(clone(x)));
  try {
    const w = tidy(() => keep(randomUniform(noGrad(() => f(...xs)).shape, new Rng(seed), 0.5, 1.5, 'float64')));
    const loss = (): number => tidy(() => sum(mul(f(...xs), w)).item());
    const analytic = autogradOf(f, xs, w);
    const numeric = xs.map((x) => numericGrad(x, eps, () => noGrad(loss)));
    w.dispose();
    return summarize(analytic, numeric, atol, rtol, eps, xs);
  } finally {
    for (const x of xs) x.dispose();
  }
}

function autogradOf(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], w: Tensor): Float64Array[] {
  return tidy(() => {
    for (const x of xs) x.requiresGrad = true;
    const out = f(...xs);
    const grads = out.requiresGrad ? backward(sum(mul(out, w))) : new Map<Tensor, Tensor>();
    for (const x of xs) x.requiresGrad = false;
    return xs.map((x) => {
      const g = grads.get(x);
      if (g && g.size !== x.size) throw new Error(`gradCheck: gradient of ${fmtShape(x.shape)} input has shape ${fmtShape(g.shape)}`);
      return g ? Float64Array.from(g.data) : new Float64Array(x.size);
    });
  });
}

function numericGrad(x: Tensor, eps: number, loss: () => number): Float64Array {
  const d = x.data;
  const out = new Float64Array(x.size);
  for (let i = 0; i < d.length; i++) {
    const orig = d[i]!;
    d[i] = orig + eps;
    const up = loss();
    d[i] = orig - eps;
    const down = loss();
    d[i] = orig;
    out[i] = (up - down) / (2 * eps);
  }
  return out;
}

function summarize(analytic: Float64Array[], numeric: Float64Array[], atol: number, rtol: number, eps: number, xs: Tensor[]): GradCheckResult {
  let maxAbsError = 0;
  let worst: Worst | null = null;
  analytic.forEach((a, input) => {
    const n = numeric[input]!;
    for (let index = 0; index < a.length; index++) {
      const err = Math.abs(a[index]! - n[index]!);
      const ratio = Number.isNaN(err) ? Infinity : err / (atol + rtol * Math.abs(n[index]!));
      maxAbsError = Math.max(maxAbsError, Number.isNaN(err) ? Infinity : err);
      if (!worst || ratio > worst.ratio) worst = { ratio, input, index, analytic: a[index]!, numeric: n[index]! };
    }
  });
  const w = worst as Worst | null;
  const ok = w === null || w.ratio <= 1;
  const where = w ? `input ${w.input} ${fmtShape(xs[w.input]!.shape)} element ${w.index}: autograd ${w.analytic} vs numeric ${w.numeric}` : 'no elements';
  const report = `gradCheck ${ok ? 'passed' : 'FAILED'} (eps ${eps}, atol ${atol}, rtol ${rtol}): worst at ${where}, |error| ${w ? Math.abs(w.analytic - w.numeric) : 0} = ${(w?.ratio ?? 0).toPrecision(3)}× allowed; max |error| ${maxAbsError}`;
  return { ok, maxAbsError, worstRatio: w?.ratio ?? 0, report };
}

/**
 * Where two backends' results disagree: the first element with |got − want| > rtol·(|want| + 1e-3)
 * across lists of tensors' values, described with both values and `names` (got's backend, want's),
 * or null when every element agrees.
 */
export function firstDisagreement(got: readonly number[][], want: readonly number[][], rtol: number, names: [string, string]): string | null {
  if (got.length !== want.length) return `${got.length} tensors against ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    if (got[i]!.length !== want[i]!.length) return `tensor ${i}: ${got[i]!.length} elements against ${want[i]!.length}`;
    for (let j = 0; j < got[i]!.length; j++) {
      const v = got[i]![j]!, r = want[i]![j]!;
      if (!(Math.abs(v - r) <= rtol * (Math.abs(r) + 1e-3))) return `tensor ${i} element ${j}: ${names[0]} ${v}, ${names[1]} ${r}`;
    }
  }
  return null;
}
