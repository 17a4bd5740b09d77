/**
 * The two classifiers `features` fits on each representation: multinomial logistic regression
 * (softmax) trained with aekit's engine and optimizers, and k-nearest neighbours under Euclidean
 * distance, its distances computed as one engine product per block of query rows:
 * ‖q − t‖² = ‖q‖² − 2·q·t + ‖t‖², and ‖q‖² does not change which t are nearest.
 */
import { backward, keep, matmul, noGrad, Rng, tensor, tidy } from '../core/index.js';
import { BatchLoader, gatherLabels, gatherRows, type Dataset } from '../data/index.js';
import { oneHot } from '../models/index.js';
import { createOptimizer, Dense, softmaxCrossEntropy } from '../nn/index.js';
import type { ProgressSink } from './progress.js';

export interface SoftmaxOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  onProgress?: ProgressSink;
  stage?: string;
}

/** A fitted softmax classifier: features centred and scaled with the training set's statistics, then W·x + b. */
export interface SoftmaxClassifier {
  predict(ds: Dataset): Int32Array;
  dispose(): void;
}

/** Fit softmax regression on the labelled rows of `train` (classes 0 … numClasses − 1) with Adam, minibatches, a fixed seed. */
export function fitSoftmax(train: Dataset, numClasses: number, opts: SoftmaxOptions = {}): SoftmaxClassifier {
  requireLabels(train);
  const { epochs = 20, batchSize = 256, lr = 1e-2, seed = 1 } = opts;
  // Codes, pixels and PCA coordinates live on very different scales; one affine map (centre each
  // feature, divide all by one overall spread) gives Adam a well-scaled input and keeps the
  // representation's geometry (per-feature scaling would blow up pixels that are almost always 0).
  const scaler = fitScaler(train);
  const x = { ...train, x: scaler(train.x) };
  const layer = new Dense({ inFeatures: train.dim, outFeatures: numClasses, activation: 'linear', init: 'glorotUniform' }, new Rng(seed));
  const opt = createOptimizer({ kind: 'adam', lr });
  const loader = new BatchLoader(x, { batchSize, shuffle: true, seed, dropLast: false });
  const batch = new Float32Array(batchSize * train.dim);
  const y = new Int32Array(batchSize);
  opts.onProgress?.({ stage: opts.stage ?? 'softmax', done: 0, total: epochs });
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const rows of loader.batches(epoch)) {
      gatherRows(x, rows, batch);
      gatherLabels(x, rows, y);
      tidy(() => {
        const b = rows.length;
        const logits = layer.forward(tensor(batch.subarray(0, b * train.dim), [b, train.dim])); // (B, C)
        const loss = softmaxCrossEntropy(logits, oneHot(y.subarray(0, b), b, numClasses));
        opt.step(layer.parameters(), backward(loss));
      });
    }
    opts.onProgress?.({ stage: opts.stage ?? 'softmax', done: epoch + 1, total: epochs });
  }
  opt.dispose();
  return {
    predict(ds: Dataset): Int32Array {
      const z = { ...ds, x: scaler(ds.x) };
      const out = new Int32Array(ds.n);
      noGrad(() => {
        for (let start = 0; start < ds.n; start += 4096) {
          const n = Math.min(4096, ds.n - start);
          tidy(() => argmaxRows(layer.forward(tensor(z.x.subarray(start * ds.dim, (start + n) * ds.dim), [n, ds.dim])).data, numClasses, out, start));
        }
      });
      return out;
    },
    dispose: () => layer.parameters().forEach((p) => p.dispose()),
  };
}

/** x ↦ (x − mean) / s with per-feature means and s the root of the mean per-feature variance, as fitted on `ds`. */
function fitScaler(ds: Dataset): (x: Float32Array) => Float32Array {
  const d = ds.dim;
  const mean = new Float64Array(d);
  for (let o = 0; o < ds.x.length; o += d) for (let j = 0; j < d; j++) mean[j]! += ds.x[o + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= ds.n;
  let ss = 0;
  for (let o = 0; o < ds.x.length; o += d) for (let j = 0; j < d; j++) ss += (ds.x[o + j]! - mean[j]!) ** 2;
  const s = Math.sqrt(ss / ds.x.length) || 1;
  // Plain loops: Float32Array.from with a map function took a minute on MNIST's 47 million values.
  return (x) => {
    const out = new Float32Array(x.length);
    for (let o = 0; o < x.length; o += d) for (let j = 0; j < d; j++) out[o + j] = (x[o + j]! - mean[j]!) / s;
    return out;
  };
}

function argmaxRows(values: ArrayLike<number>, width: number, out: Int32Array, offset: number): void {
  for (let r = 0; r < values.length / width; r++) {
    let best = 0;
    for (let c = 1; c < width; c++) if (values[r * width + c]! > values[r * width + best]!) best = c;
    out[offset + r] = best;
  }
}

export interface KnnOptions {
  onProgress?: ProgressSink;
  stage?: string;
  /** Values of the (block, n) distance matrix held at once (default 2^24, 64 MiB). Each block reads all training rows again, so tall blocks pay: 2^20 was 2.3× slower on raw MNIST pixels. */
  blockValues?: number;
}

/**
 * The majority label of the k training rows nearest each query row (Euclidean); a tie goes to the
 * tied class with the nearest member. One (block, nTrain) product per block of queries.
 */
export function knnPredict(train: Dataset, query: Dataset, k: number, opts: KnnOptions = {}): Int32Array {
  const labels = requireLabels(train);
  if (!Number.isInteger(k) || k < 1 || k > train.n) throw new Error(`k-NN: k must be an integer in [1, ${train.n}] (the training rows), got ${k}`);
  if (query.dim !== train.dim) throw new Error(`k-NN: ${query.source} has ${query.dim} features, ${train.source} has ${train.dim}`);
  const n = train.n, d = train.dim;
  const sq = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = j * d; i < (j + 1) * d; i++) s += train.x[i]! * train.x[i]!;
    sq[j] = s;
  }
  const numClasses = labels.reduce((m, y) => Math.max(m, y), 0) + 1;
  const block = Math.max(1, Math.floor((opts.blockValues ?? 2 ** 24) / n));
  const t = keep(tensor(train.x, [n, d])); // (n, d)
  const out = new Int32Array(query.n);
  const best = new Float64Array(k), who = new Int32Array(k), votes = new Int32Array(numClasses), nearest = new Float64Array(numClasses);
  opts.onProgress?.({ stage: opts.stage ?? 'k-NN', done: 0, total: query.n });
  try {
    noGrad(() => {
      for (let start = 0; start < query.n; start += block) {
        const b = Math.min(block, query.n - start);
        tidy(() => {
          const dots = matmul(tensor(query.x.subarray(start * d, (start + b) * d), [b, d]), t, { transposeB: true }).data as Float32Array; // (b, n)
          for (let r = 0; r < b; r++) {
            nearestK(dots.subarray(r * n, (r + 1) * n), sq, best, who);
            out[start + r] = vote(best, who, labels, votes, nearest);
          }
        });
        opts.onProgress?.({ stage: opts.stage ?? 'k-NN', done: start + b, total: query.n });
      }
    });
  } finally {
    t.dispose();
  }
  return out;
}

/** The k smallest of ‖t‖² − 2·q·t over the row, sorted ascending into best/who (insertion into a short list). */
function nearestK(dots: Float32Array, sq: Float32Array, best: Float64Array, who: Int32Array): void {
  const k = best.length;
  best.fill(Infinity);
  who.fill(-1);
  let worst = Infinity;
  for (let j = 0; j < dots.length; j++) {
    const dist = sq[j]! - 2 * dots[j]!;
    if (dist >= worst) continue;
    let p = k - 1;
    while (p > 0 && best[p - 1]! > dist) {
      best[p] = best[p - 1]!;
      who[p] = who[p - 1]!;
      p--;
    }
    best[p] = dist;
    who[p] = j;
    worst = best[k - 1]!;
  }
}

function vote(best: Float64Array, who: Int32Array, labels: Int32Array, votes: Int32Array, nearest: Float64Array): number {
  votes.fill(0);
  nearest.fill(Infinity);
  for (let i = 0; i < who.length; i++) {
    const y = labels[who[i]!]!;
    votes[y]!++;
    if (best[i]! < nearest[y]!) nearest[y] = best[i]!;
  }
  let winner = 0;
  for (let c = 1; c < votes.length; c++) if (votes[c]! > votes[winner]! || (votes[c] === votes[winner] && nearest[c]! < nearest[winner]!)) winner = c;
  return winner;
}

export function accuracy(predicted: Int32Array, truth: Int32Array): number {
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
  return right / truth.length;
}

function requireLabels(ds: Dataset): Int32Array {
  if (!ds.labels) throw new Error(`${ds.source} has no labels, and a classifier needs one per row`);
  return ds.labels;
}
