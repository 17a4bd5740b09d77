/**
 * A model applied to a data set row by row, in batches: latent codes, reconstructions and the
 * squared reconstruction error of each row. Shared by every application (reduce, features,
 * generate, denoise, anomaly) and the model commands, so each computes them the same way.
 * Values are in the model's space (after the data's normalisation); callers invert it for output.
 */
import { noGrad, tidy, type Tensor } from '../core/index.js';
import type { Dataset } from '../data/index.js';
import type { Autoencoder, Labels } from '../models/index.js';
import { forEachBatch } from '../train/trainer.js';
import type { ProgressSink } from './progress.js';

export interface RowOptions {
  /** Rows per batch (default 1000). */
  batchSize?: number;
  onProgress?: ProgressSink;
  /** Name of the stage in progress reports. */
  stage?: string;
}

/** Apply `fn` batch by batch (with the batch's labels) and collect its (B, width) outputs into one (n, width) array. */
export function mapRows(ds: Dataset, width: number, fn: (x: Tensor, labels: Labels | null) => Tensor, opts: RowOptions = {}): Float32Array {
  const out = new Float32Array(ds.n * width);
  const batch = opts.batchSize ?? 1000;
  opts.onProgress?.({ stage: opts.stage ?? 'rows', done: 0, total: ds.n });
  noGrad(() => forEachBatch(ds, batch, (x, start, labels) => {
    tidy(() => {
      const y = fn(x, labels);
      if (y.size !== x.shape[0]! * width) throw new Error(`mapRows: a batch of ${x.shape[0]} rows gave ${y.size} values, expected ${width} per row`);
      out.set(y.data, start * width);
    });
    opts.onProgress?.({ stage: opts.stage ?? 'rows', done: Math.min(ds.n, start + batch), total: ds.n });
  }));
  return out;
}

/** Latent codes (n, latentDim); a VAE's are the posterior means. */
export function encodeRows(model: Autoencoder, ds: Dataset, opts: RowOptions = {}): Float32Array {
  return mapRows(ds, model.config.latentDim, (x, labels) => model.encode(x, labels), { stage: 'encoding', ...opts });
}

/** Reconstructions (n, dim) decoded from the codes `encode` gives. */
export function reconstructRows(model: Autoencoder, ds: Dataset, opts: RowOptions = {}): Float32Array {
  return mapRows(ds, ds.dim, (x, labels) => model.reconstruct(x, labels), { stage: 'reconstructing', ...opts });
}

/** Σ over features of (x̂ − x)² for each row, in float64: the reconstruction error an anomaly score and `reduce` use. */
export function rowSquaredErrors(reconstruction: Float32Array, ds: Dataset): Float64Array {
  if (reconstruction.length !== ds.x.length) throw new Error(`rowSquaredErrors: ${reconstruction.length} reconstructed values for ${ds.n} × ${ds.dim} inputs`);
  const out = new Float64Array(ds.n);
  for (let r = 0; r < ds.n; r++) {
    let s = 0;
    for (let i = r * ds.dim; i < (r + 1) * ds.dim; i++) s += (reconstruction[i]! - ds.x[i]!) ** 2;
    out[r] = s;
  }
  return out;
}

export function meanOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length ? s / values.length : NaN;
}

/** A matrix of float32 rows as a Dataset (codes, projections), so the readers' tools (PCA, normalisers) apply to it. */
export function rowsDataset(x: Float32Array, width: number, labels: Labels | null, source: string): Dataset {
  return { x, n: x.length / width, dim: width, sampleShape: [width], labels, source };
}
