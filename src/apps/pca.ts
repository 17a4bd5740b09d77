/**
 * Principal component analysis on aekit's own engine, the baseline every autoencoder is measured
 * against (Hinton & Salakhutdinov 2006 report 30-d PCA beside their deep autoencoder). The
 * covariance C = X̄ᵀX̄/n is one engine product; its top-k eigenvectors come from subspace (block
 * power) iteration, V ← orth(C·V) (Golub & Van Loan, Matrix Computations, §8.2.4), orthonormalised
 * by modified Gram–Schmidt in float64, until the Rayleigh quotients settle.
 */
import { add, keep, matmul, Rng, sub, sum, square, tensor, tidy, type Tensor } from '../core/index.js';
import type { Dataset } from '../data/index.js';

export interface Pca {
  /** Features per sample. */
  d: number;
  k: number;
  /** Per-feature mean of the data it was fitted on, (d). */
  mean: Float32Array;
  /** The k principal directions as rows, (k, d), by decreasing variance. */
  components: Float32Array;
  /** Variance along each direction (eigenvalues of the covariance), decreasing. */
  variances: Float64Array;
  /** Subspace iterations run. */
  iterations: number;
}

export interface PcaOptions {
  maxIterations?: number;
  /** Stop when no Rayleigh quotient moves by more than this, relative. */
  tolerance?: number;
  seed?: number;
}

/** Fit the top-k principal components of `ds`. */
export function fitPca(ds: Dataset, k: number, opts: PcaOptions = {}): Pca {
  const d = ds.dim;
  if (!Number.isInteger(k) || k < 1 || k > d) throw new Error(`PCA: components must be an integer in [1, ${d}], got ${k}`);
  if (ds.n < 2) throw new Error(`${ds.source}: PCA needs at least 2 samples`);
  const mean = columnMeans(ds);
  const cov = keep(tensor(Float32Array.from(covariance(ds, mean)), [d, d])); // (d, d)
  const rng = new Rng(opts.seed ?? 1);
  let v = orthonormalise(Float64Array.from({ length: d * k }, () => rng.normal()), d, k);
  let quotients: Float64Array = new Float64Array(k);
  let it = 0;
  for (const max = opts.maxIterations ?? 500; it < max; it++) {
    const cv = tidy(() => Float64Array.from(matmul(cov, tensor(Float32Array.from(v), [d, k])).data)); // C·V, (d, k)
    const next = rayleigh(v, cv, d, k);
    v = orthonormalise(cv, d, k);
    const settled = next.every((q, j) => Math.abs(q - quotients[j]!) <= (opts.tolerance ?? 1e-7) * Math.abs(q));
    quotients = next;
    if (settled && it > 2) break;
  }
  cov.dispose();
  return order({ d, k, mean, components: transposeToRows(v, d, k), variances: quotients, iterations: it });
}

/** Mean squared reconstruction error per sample, Σ over features, of `ds` projected on the k directions. */
export function pcaSquaredError(p: Pca, ds: Dataset, batch = 4096): number {
  if (ds.dim !== p.d) throw new Error(`${ds.source} has ${ds.dim} features per sample, the PCA was fitted on ${p.d}`);
  let total = 0;
  for (let start = 0; start < ds.n; start += batch) {
    const n = Math.min(batch, ds.n - start);
    total += tidy(() => {
      const x = sub(tensor(ds.x.subarray(start * p.d, (start + n) * p.d), [n, p.d]), tensor(p.mean, [p.d])); // (n, d)
      const w = tensor(p.components, [p.k, p.d]);
      const back = matmul(matmul(x, w, { transposeB: true }), w); // x̄·Wᵀ·W, (n, d)
      return sum(square(sub(x, back))).item();
    });
  }
  return total / ds.n;
}

/** Codes (n, k): each row centred and projected on the k directions, x̄·Wᵀ. */
export function pcaTransform(p: Pca, ds: Dataset, batch = 4096): Float32Array {
  return pcaRows(p, ds, p.k, (x, w) => matmul(x, w, { transposeB: true }), batch);
}

/** Reconstructions (n, d) from the k directions: x̄·Wᵀ·W + mean, the rows `pcaSquaredError` scores. */
export function pcaReconstruct(p: Pca, ds: Dataset, batch = 4096): Float32Array {
  return pcaRows(p, ds, p.d, (x, w) => add(matmul(matmul(x, w, { transposeB: true }), w), tensor(p.mean, [p.d])), batch);
}

/** Apply fn(centred rows (n, d), components (k, d)) batch by batch, collecting (n, width) outputs. */
function pcaRows(p: Pca, ds: Dataset, width: number, fn: (x: Tensor, w: Tensor) => Tensor, batch: number): Float32Array {
  if (ds.dim !== p.d) throw new Error(`${ds.source} has ${ds.dim} features per sample, the PCA was fitted on ${p.d}`);
  const out = new Float32Array(ds.n * width);
  for (let start = 0; start < ds.n; start += batch) {
    const n = Math.min(batch, ds.n - start);
    tidy(() => {
      const x = sub(tensor(ds.x.subarray(start * p.d, (start + n) * p.d), [n, p.d]), tensor(p.mean, [p.d])); // (n, d)
      out.set(fn(x, tensor(p.components, [p.k, p.d])).data, start * width);
    });
  }
  return out;
}

function columnMeans(ds: Dataset): Float32Array {
  const m = new Float64Array(ds.dim);
  for (let i = 0; i < ds.x.length; i++) m[i % ds.dim]! += ds.x[i]!;
  return Float32Array.from(m, (v) => v / ds.n);
}

/** X̄ᵀX̄ / n through the engine's product, in batches of rows. */
function covariance(ds: Dataset, mean: Float32Array): Float64Array {
  const d = ds.dim;
  const cov = new Float64Array(d * d);
  for (let start = 0; start < ds.n; start += 8192) {
    const n = Math.min(8192, ds.n - start);
    const part = tidy(() => {
      const x: Tensor = sub(tensor(ds.x.subarray(start * d, (start + n) * d), [n, d]), tensor(mean, [d]));
      return Float64Array.from(matmul(x, x, { transposeA: true }).data); // (d, d)
    });
    for (let i = 0; i < cov.length; i++) cov[i]! += part[i]! / ds.n;
  }
  return cov;
}

/** vⱼᵀ·(C·v)ⱼ for each column j. */
function rayleigh(v: Float64Array, cv: Float64Array, d: number, k: number): Float64Array {
  const q = new Float64Array(k);
  for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) q[j]! += v[i * k + j]! * cv[i * k + j]!;
  return q;
}

/** Modified Gram–Schmidt on the k columns of a (d, k) matrix, in place; returns it. */
function orthonormalise(a: Float64Array, d: number, k: number): Float64Array {
  for (let j = 0; j < k; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += a[i * k + j]! * a[i * k + p]!;
      for (let i = 0; i < d; i++) a[i * k + j]! -= dot * a[i * k + p]!;
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += a[i * k + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < d; i++) a[i * k + j]! /= norm;
  }
  return a;
}

function transposeToRows(v: Float64Array, d: number, k: number): Float32Array {
  const rows = new Float32Array(k * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) rows[j * d + i] = v[i * k + j]!;
  return rows;
}

/** Components by decreasing variance. */
function order(p: Pca): Pca {
  const idx = Array.from({ length: p.k }, (_, j) => j).sort((a, b) => p.variances[b]! - p.variances[a]!);
  const components = new Float32Array(p.k * p.d);
  idx.forEach((j, r) => components.set(p.components.subarray(j * p.d, (j + 1) * p.d), r * p.d));
  return { ...p, components, variances: Float64Array.from(idx, (j) => p.variances[j]!) };
}
