import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../index.js';
import { makeDataset, type Dataset } from '../data/index.js';
import { accuracy, fitSoftmax, knnPredict } from './classifiers.js';

await ak.setBackend('reference');

/** n points per class around class centres 4·e_c in d dimensions (plus a large offset and scale), labelled. */
function blobs(n: number, classes: number, d: number, seed: number, spread = 1): Dataset {
  const rng = new ak.Rng(seed);
  const x = new Float32Array(n * classes * d);
  const labels = new Int32Array(n * classes);
  for (let i = 0; i < n * classes; i++) {
    labels[i] = i % classes;
    for (let j = 0; j < d; j++) x[i * d + j] = 100 + 50 * ((j === i % classes ? 4 : 0) + spread * rng.normal());
  }
  return makeDataset({ x, sampleShape: [d], labels, source: `blobs(${seed})` });
}

/** k-NN the slow, obvious way: every distance in float64, sorted. */
function bruteKnn(train: Dataset, query: Dataset, k: number): Int32Array {
  const out = new Int32Array(query.n);
  for (let q = 0; q < query.n; q++) {
    const dist = Array.from({ length: train.n }, (_, t) => {
      let s = 0;
      for (let j = 0; j < train.dim; j++) s += (query.x[q * train.dim + j]! - train.x[t * train.dim + j]!) ** 2;
      return [s, train.labels![t]!] as const;
    }).sort((a, b) => a[0] - b[0]).slice(0, k);
    const votes = new Map<number, [number, number]>();
    for (const [s, y] of dist) votes.set(y, [(votes.get(y)?.[0] ?? 0) + 1, Math.min(votes.get(y)?.[1] ?? Infinity, s)]);
    out[q] = [...votes].sort((a, b) => b[1][0] - a[1][0] || a[1][1] - b[1][1])[0]![0];
  }
  return out;
}

test('softmax regression separates well-separated classes, whatever their offset and scale', () => {
  const train = blobs(60, 4, 6, 1, 0.6), test = blobs(40, 4, 6, 2, 0.6);
  const clf = fitSoftmax(train, 4, { epochs: 30, batchSize: 32 });
  assert.ok(accuracy(clf.predict(test), test.labels!) > 0.95);
  clf.dispose();
  const again = fitSoftmax(train, 4, { epochs: 1, batchSize: 32 });
  const p = again.predict(test);
  assert.deepEqual([...fitSoftmax(train, 4, { epochs: 1, batchSize: 32 }).predict(test)], [...p], 'the same seed gives the same classifier');
});

test('k-NN by blocks of engine products agrees with brute force, ties to the nearest class included', () => {
  const train = blobs(30, 3, 5, 3, 2.5), query = blobs(20, 3, 5, 4, 2.5);
  for (const k of [1, 4, 7]) {
    assert.deepEqual([...knnPredict(train, query, k, { blockValues: 200 })], [...bruteKnn(train, query, k)], `k = ${k}`);
  }
  let calls = 0;
  knnPredict(train, query, 3, { blockValues: 900, onProgress: (p) => { calls++; assert.equal(p.total, 60); } });
  assert.equal(calls, 7, 'the start, then one per block of ten query rows (900 distances to 90 training rows)');
});

test('k-NN refuses k outside the training rows, a width mismatch and unlabelled training rows', () => {
  const train = blobs(2, 2, 3, 5), query = blobs(2, 2, 4, 6);
  assert.throws(() => knnPredict(train, train, 5), /k must be an integer in \[1, 4\]/);
  assert.throws(() => knnPredict(train, query, 1), /has 4 features, blobs\(5\) has 3/);
  assert.throws(() => knnPredict({ ...train, labels: null }, train, 1), /blobs\(5\) has no labels/);
});
