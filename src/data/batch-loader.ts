/**
 * Mini-batches of row indices. The order of an epoch is a pure function of (seed, epoch), so a
 * run resumed at epoch e, batch b replays exactly the batches the interrupted run would have seen.
 */
import { Rng } from '../core/index.js';
import { checkRowIndex, type Dataset } from './dataset.js';

export interface BatchLoaderOptions {
  batchSize: number;
  /** Shuffle the rows every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffles (default 0). */
  seed?: number;
  /** Skip the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

export class BatchLoader {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** Batches per epoch. */
  readonly numBatches: number;

  constructor(readonly ds: Dataset, opts: BatchLoaderOptions) {
    const { batchSize, shuffle = true, seed = 0, dropLast = false } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`BatchLoader: option batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(seed)) throw new Error(`BatchLoader: option seed must be an integer, got ${seed}`);
    if (ds.n === 0) throw new Error(`${ds.source}: no rows to batch`);
    if (dropLast && ds.n < batchSize) throw new Error(`${ds.source}: ${ds.n} rows are fewer than one batch of ${batchSize} with dropLast`);
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.seed = seed;
    this.dropLast = dropLast;
    this.numBatches = dropLast ? Math.floor(ds.n / batchSize) : Math.ceil(ds.n / batchSize);
  }

  /** The row order of `epoch` (0-based): a shuffle seeded by Rng.derive(seed, epoch), or 0..n-1. */
  order(epoch: number): Int32Array {
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`BatchLoader: epoch must be a non-negative integer, got ${epoch}`);
    const order = new Int32Array(this.ds.n);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return this.shuffle ? Rng.derive(this.seed, epoch).shuffle(order) : order;
  }

  /** The batches of `epoch` from batch `start` on; each is a view of that epoch's order, safe to keep. */
  *batches(epoch: number, start = 0): Generator<Int32Array> {
    if (!Number.isInteger(start) || start < 0 || start > this.numBatches) {
      throw new Error(`BatchLoader: start batch must be an integer in [0, ${this.numBatches}], got ${start}`);
    }
    const order = this.order(epoch);
    for (let b = start; b < this.numBatches; b++) {
      yield order.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, order.length));
    }
  }
}

/**
 * Copy rows `indices` of `ds` into `out` (at least indices.length × dim long); returns `out`.
 * No buffer is allocated: each row is one bulk copy from a view (6× faster than an element loop
 * for MNIST rows, which was 10% of a Model A training step).
 */
export function gatherRows(ds: Dataset, indices: ArrayLike<number>, out: Float32Array): Float32Array {
  const { x, dim } = ds;
  if (out.length < indices.length * dim) {
    throw new Error(`gatherRows: out holds ${out.length} values, ${indices.length} rows of ${dim} need ${indices.length * dim}`);
  }
  for (let i = 0; i < indices.length; i++) {
    const src = checkRowIndex(ds, indices[i]!, i) * dim;
    out.set(x.subarray(src, src + dim), i * dim);
  }
  return out;
}

/** Copy the labels of rows `indices` into `out`; throws when the dataset has no labels. */
export function gatherLabels(ds: Dataset, indices: ArrayLike<number>, out: Int32Array): Int32Array {
  if (ds.labels === null) throw new Error(`${ds.source}: has no labels to gather`);
  if (out.length < indices.length) throw new Error(`gatherLabels: out holds ${out.length} labels, ${indices.length} needed`);
  for (let i = 0; i < indices.length; i++) out[i] = ds.labels[checkRowIndex(ds, indices[i]!, i)]!;
  return out;
}
