import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeDataset } from './dataset.js';
import { splitValidation } from './split.js';

/** Row i holds the value i and the label i, so every row is identifiable. */
const rows = (n: number) =>
  makeDataset({ x: Float32Array.from({ length: n }, (_, i) => i), sampleShape: [1], labels: Int32Array.from({ length: n }, (_, i) => i), source: 'r' });

test('the split is disjoint, covers every row, keeps row order and carries labels', () => {
  const { train, val } = splitValidation(rows(100), 0.2, 7);
  assert.ok(val !== null);
  assert.equal(val.n, 20);
  assert.equal(train.n, 80);
  const all = [...train.x, ...val.x].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual([...val.x], [...val.x].sort((a, b) => a - b));
  assert.deepEqual([...val.labels!], [...val.x]);
});

test('the same seed gives the same split; another seed another', () => {
  const a = splitValidation(rows(1000), 0.1, 42).val!;
  const b = splitValidation(rows(1000), 0.1, 42).val!;
  const c = splitValidation(rows(1000), 0.1, 43).val!;
  assert.deepEqual(a.x, b.x);
  assert.notDeepEqual(a.x, c.x);
});

test('fraction 0 means no validation split and returns the dataset itself', () => {
  const ds = rows(5);
  const s = splitValidation(ds, 0, 1);
  assert.equal(s.val, null);
  assert.equal(s.train, ds);
});

test('a small positive fraction still holds out one row', () => {
  assert.equal(splitValidation(rows(10), 0.01, 1).val!.n, 1);
});

test('fractions outside [0, 1), non-integer seeds and splits that empty the training set are refused', () => {
  assert.throws(() => splitValidation(rows(10), 1, 0), /fraction must be in \[0, 1\), got 1/);
  assert.throws(() => splitValidation(rows(10), -0.1, 0), /got -0\.1/);
  assert.throws(() => splitValidation(rows(10), NaN, 0), /got NaN/);
  assert.throws(() => splitValidation(rows(10), 0.1, 0.5), /seed must be an integer, got 0\.5/);
  assert.throws(() => splitValidation(rows(1), 0.5, 0), /r: validation fraction 0\.5 of 1 rows leaves no training rows/);
});
