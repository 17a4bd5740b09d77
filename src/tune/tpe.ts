/**
 * Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl 2011, "Algorithms for
 * Hyper-Parameter Optimization", §4). The observations are split at the γ-quantile of the loss
 * into good ones, modelled by l(x), and the rest, modelled by g(x); candidates drawn from l(x) are
 * ranked by l(x)/g(x), which maximises expected improvement (eq. 6). Each parameter is modelled on
 * its own over the trials where it was active (the "tree": a conditional parameter only learns from
 * trials that had it). Densities are adaptive Parzen windows as in the paper's hyperopt: one
 * Gaussian per observation, its width the larger gap to a neighbour, plus one wide prior component.
 * Written here: no maintained npm package implements TPE (see docs/design.md).
 */
import type { Rng } from '../core/rng.js';
import type { Observation } from './sampler.js';
import { priorDraw } from './sampler.js';
import { isActive, snap, type Param, type Params, type Space, type Value } from './space.js';

/** γ: the share of observations that count as good (hyperopt's default). */
export const GAMMA = 0.25;
/** Candidates drawn from l(x) per parameter (hyperopt's n_EI_candidates). */
export const CANDIDATES = 24;

export function tpeSuggest(space: Space, history: readonly Observation[], rng: Rng): Params {
  const out: Params = {};
  for (const p of space) {
    if (!isActive(p, out)) continue;
    const seen = history.filter((h) => h.params[p.name] !== undefined && Number.isFinite(h.loss)).sort((a, b) => a.loss - b.loss);
    if (seen.length < 2) {
      out[p.name] = priorDraw(p, rng);
      continue;
    }
    const nGood = Math.max(1, Math.ceil(GAMMA * seen.length));
    const good = seen.slice(0, nGood).map((h) => h.params[p.name]!);
    const bad = seen.slice(nGood).map((h) => h.params[p.name]!);
    out[p.name] = p.type === 'choice' ? suggestChoice(p, good, bad, rng) : suggestNumber(p, good as number[], bad as number[], rng);
  }
  return out;
}

function suggestChoice(p: Extract<Param, { type: 'choice' }>, good: Value[], bad: Value[], rng: Rng): Value {
  // Counts plus one pseudo-count per value (the prior), normalised.
  const weights = (obs: Value[]) => p.values.map((v) => (obs.filter((o) => o === v).length + 1) / (obs.length + p.values.length));
  const [l, g] = [weights(good), weights(bad)];
  let best = 0;
  let bestScore = -Infinity;
  for (let c = 0; c < CANDIDATES; c++) {
    const i = drawIndex(l, rng);
    const score = Math.log(l[i]!) - Math.log(g[i]!);
    if (score > bestScore) [best, bestScore] = [i, score];
  }
  return p.values[best]!;
}

function drawIndex(w: readonly number[], rng: Rng): number {
  let u = rng.uniform() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) if ((u -= w[i]!) <= 0) return i;
  return w.length - 1;
}

interface Mixture { mu: number[]; sigma: number[]; weight: number[]; lo: number; hi: number }

function suggestNumber(p: Extract<Param, { type: 'float' | 'int' }>, good: number[], bad: number[], rng: Rng): number {
  const [lo, hi] = p.type === 'int' && !p.log ? [p.low - 0.5, p.high + 0.5] : [p.low, p.high];
  const t = (x: number) => (p.log ? Math.log(x) : x);
  const [zlo, zhi] = [t(lo), t(hi)];
  if (zhi - zlo <= 0) return p.low;
  const l = parzen(good.map(t), zlo, zhi);
  const g = parzen(bad.map(t), zlo, zhi);
  let best = NaN;
  let bestScore = -Infinity;
  for (let c = 0; c < CANDIDATES; c++) {
    const z = drawMixture(l, rng);
    const score = logDensity(l, z) - logDensity(g, z);
    if (score > bestScore) [best, bestScore] = [z, score];
  }
  return snap(p, p.log ? Math.exp(best) : best);
}

/** Adaptive Parzen window over [lo, hi]: the prior N(mid, range) and one kernel per point. */
function parzen(points: number[], lo: number, hi: number): Mixture {
  const range = hi - lo;
  const mid = (lo + hi) / 2;
  const all = [...points.map((x, i) => ({ x, prior: false, i })), { x: mid, prior: true, i: -1 }].sort((a, b) => a.x - b.x);
  const minSigma = range / Math.min(100, points.length + 1);
  const mu: number[] = [];
  const sigma: number[] = [];
  const weight: number[] = [];
  all.forEach((a, k) => {
    const left = k > 0 ? a.x - all[k - 1]!.x : a.x - lo;
    const right = k < all.length - 1 ? all[k + 1]!.x - a.x : hi - a.x;
    mu.push(a.x);
    sigma.push(a.prior ? range : Math.min(range, Math.max(minSigma, left, right)));
    weight.push(1);
  });
  const total = weight.reduce((s, w) => s + w, 0);
  return { mu, sigma, weight: weight.map((w) => w / total), lo, hi };
}

function drawMixture(m: Mixture, rng: Rng): number {
  const k = drawIndex(m.weight, rng);
  for (let tries = 0; tries < 100; tries++) {
    const z = m.mu[k]! + m.sigma[k]! * rng.normal();
    if (z >= m.lo && z <= m.hi) return z;
  }
  return Math.min(m.hi, Math.max(m.lo, m.mu[k]!));
}

/** Log density of the mixture at z, each kernel truncated to [lo, hi] (renormalised by its mass inside). */
function logDensity(m: Mixture, z: number): number {
  let p = 0;
  for (let k = 0; k < m.mu.length; k++) {
    const [mu, s] = [m.mu[k]!, m.sigma[k]!];
    const mass = phi((m.hi - mu) / s) - phi((m.lo - mu) / s);
    p += (m.weight[k]! * Math.exp(-0.5 * ((z - mu) / s) ** 2)) / (s * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12));
  }
  return Math.log(Math.max(p, 1e-300));
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 for erf, error < 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return 0.5 * (1 + (x >= 0 ? erf : -erf));
}
