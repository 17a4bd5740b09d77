/**
 * Samplers propose a trial's parameters from the space and the trials so far: random, grid and
 * TPE (tpe.ts). Each walks the space in declaration order so conditions see earlier values.
 */
import { Rng } from '../core/rng.js';
import { UsageError } from '../util/errors.js';
import { isActive, snap, type Param, type Params, type Space, type Value } from './space.js';
import { tpeSuggest } from './tpe.js';

/** A finished (or pruned) trial as samplers see it: lower `loss` is better (maximised objectives are negated). */
export interface Observation { params: Params; loss: number }

export type SamplerName = 'random' | 'grid' | 'tpe';
export const SAMPLERS: readonly SamplerName[] = ['random', 'grid', 'tpe'];

export interface Sampler {
  /** Parameters of trial `index`; null when a grid is exhausted. */
  suggest(index: number, history: readonly Observation[]): Params | null;
  /** How many distinct trials the sampler can give (a grid's size), or null for unbounded. */
  readonly size: number | null;
}

export function makeSampler(name: SamplerName, space: Space, seed: number, opts: { startup?: number } = {}): Sampler {
  if (name === 'random') return { size: null, suggest: (i) => randomParams(space, Rng.derive(seed, i)) };
  if (name === 'grid') {
    const points = gridPoints(space);
    return { size: points.length, suggest: (i) => points[i] ?? null };
  }
  const startup = opts.startup ?? 10;
  return {
    size: null,
    suggest: (i, history) => history.length < startup ? randomParams(space, Rng.derive(seed, i)) : tpeSuggest(space, history, Rng.derive(seed, i)),
  };
}

/** One value from a parameter's prior: uniform (or log-uniform) over its range, uniform over choices. */
export function priorDraw(p: Param, rng: Rng): Value {
  if (p.type === 'choice') return p.values[rng.int(p.values.length)]!;
  const [lo, hi] = p.type === 'int' && !p.log ? [p.low - 0.5, p.high + 0.5] : [p.low, p.high];
  const u = rng.uniform();
  return snap(p, p.log ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo));
}

export function randomParams(space: Space, rng: Rng): Params {
  const out: Params = {};
  for (const p of space) if (isActive(p, out)) out[p.name] = priorDraw(p, rng);
  return out;
}

/** The values a grid search visits for one parameter. */
export function gridValues(p: Param): Value[] {
  if (p.type === 'choice') return p.values;
  if (p.type === 'int' && p.step === null && !p.log && p.high - p.low + 1 <= p.gridPoints) return Array.from({ length: p.high - p.low + 1 }, (_, i) => p.low + i);
  if (p.step !== null) {
    const n = Math.floor((p.high - p.low) / p.step + 1e-9) + 1;
    if (n <= p.gridPoints) return Array.from({ length: n }, (_, i) => snap(p, p.low + i * p.step!));
  }
  const n = p.gridPoints;
  const at = (t: number): number => (p.log ? Math.exp(Math.log(p.low) + t * (Math.log(p.high) - Math.log(p.low))) : p.low + t * (p.high - p.low));
  return [...new Set(Array.from({ length: n }, (_, i) => snap(p, at(n === 1 ? 0.5 : i / (n - 1)))))];
}

const MAX_GRID = 100_000;

/** Every combination of grid values, inactive parameters left out (so no duplicates for them). */
export function gridPoints(space: Space): Params[] {
  let partial: Params[] = [{}];
  for (const p of space) {
    const next: Params[] = [];
    for (const q of partial) {
      if (!isActive(p, q)) next.push(q);
      else for (const v of gridValues(p)) next.push({ ...q, [p.name]: v });
    }
    if (next.length > MAX_GRID) throw new UsageError(`the grid has more than ${MAX_GRID} points; give fewer values ("grid": N per parameter) or use --sampler tpe`);
    partial = next;
  }
  return partial;
}
