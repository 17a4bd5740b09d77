/** The in-memory data set every reader produces and every trainer consumes. */
import { dims } from '../util/bytes.js';

/** Rows of float32 features, optionally with integer labels. */
export interface Dataset {
  /** Features, n × dim, row-major. */
  x: Float32Array;
  /** Number of rows (samples). */
  n: number;
  /** Features per row; equals the product of `sampleShape`. */
  dim: number;
  /** Shape of one sample, e.g. [28, 28] for MNIST or [dim] for a table. */
  sampleShape: number[];
  /** One label per row, or null for unlabelled data. */
  labels: Int32Array | null;
  /** Where the rows came from (a path or a name), used in error messages. */
  source: string;
}

/** Build a dataset, checking that the lengths agree. */
export function makeDataset(fields: {
  x: Float32Array; sampleShape: readonly number[]; labels?: Int32Array | null; source: string;
}): Dataset {
  const { x, source } = fields;
  const sampleShape = [...fields.sampleShape];
  for (const d of sampleShape) {
    if (!Number.isInteger(d) || d < 1) throw new Error(`${source}: sample shape [${dims(sampleShape)}] must hold positive integers`);
  }
  const dim = sampleShape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(dim)) throw new Error(`${source}: sample shape [${dims(sampleShape)}] holds more than 2^53 values`);
  if (x.length % dim !== 0) throw new Error(`${source}: ${x.length} values do not split into rows of ${dim}`);
  const n = x.length / dim;
  const labels = fields.labels ?? null;
  if (labels !== null && labels.length !== n) throw new Error(`${source}: ${labels.length} labels for ${n} rows`);
  return { x, n, dim, sampleShape, labels, source };
}

/** A new dataset holding copies of the rows `indices` (in that order). */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const { dim } = ds;
  const x = new Float32Array(indices.length * dim);
  const labels = ds.labels === null ? null : new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = checkRowIndex(ds, indices[i]!, i);
    x.set(ds.x.subarray(r * dim, r * dim + dim), i * dim);
    if (labels !== null) labels[i] = ds.labels![r]!;
  }
  return { x, n: indices.length, dim, sampleShape: [...ds.sampleShape], labels, source: ds.source };
}

/** Throw naming the source, row and column (both counted from 1, as every command reports them) of the first NaN or ±Infinity. */
export function checkFinite(ds: Dataset): void {
  const { x, dim } = ds;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    // v - v is NaN exactly when v is NaN or ±Infinity: one test instead of two.
    if (v - v !== 0) {
      const row = Math.floor(i / dim);
      throw new Error(`${ds.source}: row ${row + 1}, column ${i - row * dim + 1}: value ${v} is not finite (NaN and Inf are not valid inputs)`);
    }
  }
}

/** Validate one row index, naming its position in the index list. */
export function checkRowIndex(ds: Dataset, r: number, position: number): number {
  if (!Number.isInteger(r) || r < 0 || r >= ds.n) {
    throw new Error(`${ds.source}: row index ${r} at position ${position} is outside [0, ${ds.n})`);
  }
  return r;
}
