/**
 * Per-feature normalisation, fitted on the training split only and stored with the model so
 * that inference sees the same transform: y = (x - offset) * scale.
 *
 * Constant features (max = min, or standard deviation 0) get scale 1: they map to 0 and
 * `invert` restores them exactly, instead of dividing by zero.
 */
import { checkFinite, type Dataset } from './dataset.js';

export type NormalizerKind = 'none' | 'minmax' | 'standard';
export const NORMALIZER_KINDS: readonly NormalizerKind[] = ['none', 'minmax', 'standard'];

export interface NormalizerJSON {
  kind: NormalizerKind;
  offset: number[];
  scale: number[];
}

export interface Normalizer {
  readonly kind: NormalizerKind;
  /** Per feature, subtracted first. */
  readonly offset: Float32Array;
  /** Per feature, multiplied after the offset; never 0, NaN or infinite. */
  readonly scale: Float32Array;
  toJSON(): NormalizerJSON;
  /** Normalise the dataset's rows in place; returns the same dataset. */
  apply(ds: Dataset): Dataset;
  /** Undo the transform on rows of values (n × dim, row-major) in place; returns `values`. */
  invert(values: Float32Array): Float32Array;
}

/** Fit per-feature statistics of `kind` on `ds` (pass the training split only). */
export function fitNormalizer(kind: NormalizerKind, ds: Dataset): Normalizer {
  checkKind(kind, 'fitNormalizer: kind');
  if (ds.n === 0) throw new Error(`${ds.source}: cannot fit a normaliser on zero rows`);
  checkFinite(ds);
  const offset = new Float32Array(ds.dim);
  const scale = new Float32Array(ds.dim).fill(1);
  if (kind === 'minmax') fitMinMax(ds, offset, scale);
  if (kind === 'standard') fitStandard(ds, offset, scale);
  return makeNormalizer(kind, offset, scale);
}

function fitMinMax(ds: Dataset, offset: Float32Array, scale: Float32Array): void {
  const { x, dim } = ds;
  const lo = x.slice(0, dim);
  const hi = x.slice(0, dim);
  for (let o = dim; o < x.length; o += dim) {
    for (let j = 0; j < dim; j++) {
      const v = x[o + j]!;
      if (v < lo[j]!) lo[j] = v;
      else if (v > hi[j]!) hi[j] = v;
    }
  }
  for (let j = 0; j < dim; j++) {
    offset[j] = lo[j]!;
    scale[j] = safeInverse(hi[j]! - lo[j]!);
  }
}

function fitStandard(ds: Dataset, offset: Float32Array, scale: Float32Array): void {
  const { x, dim, n } = ds;
  // Two passes in float64: the mean first, then squared deviations (stable for large offsets).
  const mean = new Float64Array(dim);
  for (let o = 0; o < x.length; o += dim) for (let j = 0; j < dim; j++) mean[j]! += x[o + j]!;
  for (let j = 0; j < dim; j++) mean[j]! /= n;
  const sq = new Float64Array(dim);
  for (let o = 0; o < x.length; o += dim) {
    for (let j = 0; j < dim; j++) {
      const d = x[o + j]! - mean[j]!;
      sq[j]! += d * d;
    }
  }
  for (let j = 0; j < dim; j++) {
    offset[j] = mean[j]!;
    scale[j] = safeInverse(Math.sqrt(sq[j]! / n));
  }
}

/** 1 / spread, or 1 where the spread is zero or so small that its inverse overflows float32. */
function safeInverse(spread: number): number {
  const s = Math.fround(1 / spread);
  return spread > 0 && Number.isFinite(s) ? s : 1;
}

function makeNormalizer(kind: NormalizerKind, offset: Float32Array, scale: Float32Array): Normalizer {
  const dim = offset.length;
  return {
    kind,
    offset,
    scale,
    toJSON: () => ({ kind, offset: [...offset], scale: [...scale] }),
    apply(ds) {
      if (ds.dim !== dim) throw new Error(`${ds.source}: normaliser fitted on ${dim} features, data has ${ds.dim}`);
      const { x } = ds;
      if (kind === 'none') return ds;
      for (let o = 0; o < x.length; o += dim) for (let j = 0; j < dim; j++) x[o + j] = (x[o + j]! - offset[j]!) * scale[j]!;
      return ds;
    },
    invert(values) {
      if (values.length % dim !== 0) throw new Error(`normaliser.invert: ${values.length} values do not split into rows of ${dim}`);
      if (kind === 'none') return values;
      for (let o = 0; o < values.length; o += dim) {
        for (let j = 0; j < dim; j++) values[o + j] = values[o + j]! / scale[j]! + offset[j]!;
      }
      return values;
    },
  };
}

/** Rebuild a normaliser from `toJSON()` output, validating every field. */
export function normalizerFromJSON(json: unknown): Normalizer {
  if (typeof json !== 'object' || json === null) throw new Error('normalizer: expected an object');
  const { kind, offset, scale } = json as Record<string, unknown>;
  checkKind(kind, 'normalizer.kind');
  const off = numberArray(offset, 'normalizer.offset', () => true);
  const sc = numberArray(scale, 'normalizer.scale', (v) => v !== 0);
  if (off.length !== sc.length) throw new Error(`normalizer: offset has ${off.length} values but scale has ${sc.length}`);
  return makeNormalizer(kind, off, sc);
}

function numberArray(v: unknown, field: string, ok: (v: number) => boolean): Float32Array {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`${field}: expected a non-empty array of numbers`);
  v.forEach((e, i) => {
    if (typeof e !== 'number' || !Number.isFinite(Math.fround(e)) || !ok(e)) {
      throw new Error(`${field}[${i}]: ${JSON.stringify(e)} is not a finite${field.endsWith('scale') ? ' non-zero' : ''} float32`);
    }
  });
  return Float32Array.from(v as number[]);
}

function checkKind(kind: unknown, field: string): asserts kind is NormalizerKind {
  if (!NORMALIZER_KINDS.includes(kind as NormalizerKind)) {
    throw new Error(`${field} must be one of ${NORMALIZER_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
}
