/**
 * Dimensionality reduction with a trained autoencoder: the latent code of every row, the
 * reconstruction error it leaves, and beside it a PCA baseline of any width fitted by aekit's
 * engine (Hinton & Salakhutdinov 2006 compare the two this way), scored on the same rows with the
 * same metric. `latentScatter` draws the codes in 2-D, coloured by label.
 */
import type { Dataset } from '../data/index.js';
import type { Autoencoder, Labels } from '../models/index.js';
import { scatter } from '../util/plot.js';
import { encodeRows, mapRows, meanOf, rowSquaredErrors, rowsDataset, type RowOptions } from './model-rows.js';
import { fitPca, pcaReconstruct, pcaTransform } from './pca.js';

/** A reconstruction error over a set of rows: Σ over features of (x̂ − x)², averaged over rows, and per feature. */
export interface ReconstructionError {
  sqErrPerSample: number;
  msePerFeature: number;
}

export interface PcaBaseline extends ReconstructionError {
  components: number;
  /** The rows the components were fitted on. */
  fittedOn: string;
  /** Share of the fitting data's variance the components hold. */
  explainedVariance: number;
}

export interface ReduceOptions extends RowOptions {
  /** Fit a k-component PCA on `fitOn` and score it on the same rows as the model. */
  pca?: { components: number; fitOn: Dataset } | null;
}

export interface ReduceResult {
  /** (n, latentDim), row-major. */
  codes: Float32Array;
  n: number;
  latentDim: number;
  /** Both in the model's input space (after the data's normalisation, where the model has one). */
  error: { model: ReconstructionError; pca: PcaBaseline | null };
}

/** Codes of the rows of `ds` (in the model's input space), the model's reconstruction error and, if asked, PCA's. */
export function reduce(model: Autoencoder, ds: Dataset, opts: ReduceOptions = {}): ReduceResult {
  const codes = encodeRows(model, ds, opts);
  // Decoding the codes once more is the model's reconstruct(), without encoding twice.
  const recon = mapRows(rowsDataset(codes, model.config.latentDim, ds.labels, ds.source), ds.dim, (z, labels) => model.decode(z, labels), { stage: 'decoding', ...opts });
  const result: ReduceResult = { codes, n: ds.n, latentDim: model.config.latentDim, error: { model: errorOf(rowSquaredErrors(recon, ds), ds.dim), pca: null } };
  if (opts.pca) {
    const { components, fitOn } = opts.pca;
    const stage = `fitting a ${components}-component PCA on ${fitOn.n.toLocaleString('en-US')} rows`;
    opts.onProgress?.({ stage, done: 0, total: 1 });
    const p = fitPca(fitOn, components);
    opts.onProgress?.({ stage, done: 1, total: 1 });
    const err = errorOf(rowSquaredErrors(pcaReconstruct(p, ds), ds), ds.dim);
    result.error.pca = { ...err, components, fittedOn: fitOn.source, explainedVariance: sumOf(p.variances) / totalVariance(fitOn) };
  }
  return result;
}

function errorOf(rows: Float64Array, dim: number): ReconstructionError {
  const sq = meanOf(rows);
  return { sqErrPerSample: sq, msePerFeature: sq / dim };
}

function sumOf(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
}

/** Σ over features of the variance (population, as the PCA's covariance). */
function totalVariance(ds: Dataset): number {
  const d = ds.dim;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let o = 0; o < ds.x.length; o += d) {
    for (let j = 0; j < d; j++) {
      mean[j]! += ds.x[o + j]!;
      sq[j]! += ds.x[o + j]! ** 2;
    }
  }
  let total = 0;
  for (let j = 0; j < d; j++) total += sq[j]! / ds.n - (mean[j]! / ds.n) ** 2;
  return total;
}

/** Two coordinates per row for a picture of the codes, and what they are. */
export interface LatentProjection {
  x: Float32Array;
  y: Float32Array;
  axes: [string, string];
  /** One line saying what is drawn, e.g. "the 2-d code itself" or "PCA of the 32-d codes …". */
  how: string;
}

/** A 2-d code as it is; a wider one projected on its first two principal components; null for a 1-d code. */
export function latentProjection(codes: Float32Array, latentDim: number): LatentProjection | null {
  const n = codes.length / latentDim;
  if (latentDim < 2) return null;
  if (latentDim === 2) {
    const x = Float32Array.from({ length: n }, (_, i) => codes[2 * i]!);
    const y = Float32Array.from({ length: n }, (_, i) => codes[2 * i + 1]!);
    return { x, y, axes: ['z1', 'z2'], how: 'the 2-d latent code itself (z1, z2)' };
  }
  if (n < 3) return null;
  const ds = rowsDataset(codes, latentDim, null, 'latent codes');
  const p = fitPca(ds, 2);
  const xy = pcaTransform(p, ds);
  const share = (j: number): string => `${Math.round((100 * p.variances[j]!) / totalVariance(ds))}%`;
  return {
    x: Float32Array.from({ length: n }, (_, i) => xy[2 * i]!),
    y: Float32Array.from({ length: n }, (_, i) => xy[2 * i + 1]!),
    axes: [`PC 1 of the codes (${share(0)} of their variance)`, `PC 2 (${share(1)})`],
    how: `PCA of the ${latentDim}-d codes: their first two principal components (${share(0)} + ${share(1)} of the code variance)`,
  };
}

/** The projection as a scatter plot (PNG bytes), coloured by label with a legend when there are labels. */
export function latentScatter(p: LatentProjection, labels: Labels | null, title: string, labelNames?: string[]): Uint8Array {
  return scatter({
    points: { x: p.x, y: p.y, ...(labels ? { label: labels } : {}) },
    title, xLabel: p.axes[0], yLabel: p.axes[1], width: 800, height: 640,
    ...(labelNames ? { labelNames } : {}),
  });
}
