import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchLoader, gatherLabels, gatherRows } from './batch-loader.js';
import { makeDataset } from './dataset.js';

/** n rows of dim values; row i is filled with i, and labelled i mod 10. */
function rows(n: number, dim = 2) {
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) x.fill(i, i * dim, (i + 1) * dim);
  return makeDataset({ x, sampleShape: [dim], labels: Int32Array.from({ length: n }, (_, i) => i % 10), source: 'rows' });
}

const collect = (it: Iterable<Int32Array>) => [...it].map((b) => [...b]);

test('numBatches and batch sizes with and without dropLast', () => {
  const keep = new BatchLoader(rows(10), { batchSize: 4 });
  assert.equal(keep.numBatches, 3);
  assert.deepEqual(collect(keep.batches(0)).map((b) => b.length), [4, 4, 2]);
  const drop = new BatchLoader(rows(10), { batchSize: 4, dropLast: true });
  assert.equal(drop.numBatches, 2);
  assert.deepEqual(collect(drop.batches(0)).map((b) => b.length), [4, 4]);
});

test('every epoch visits each row once; without shuffle in order', () => {
  const shuffled = collect(new BatchLoader(rows(37), { batchSize: 8, seed: 3 }).batches(5)).flat();
  assert.deepEqual([...shuffled].sort((a, b) => a - b), Array.from({ length: 37 }, (_, i) => i));
  assert.notDeepEqual(shuffled, Array.from({ length: 37 }, (_, i) => i));
  const ordered = collect(new BatchLoader(rows(5), { batchSize: 2, shuffle: false }).batches(9));
  assert.deepEqual(ordered, [[0, 1], [2, 3], [4]]);
});

test('the order is a pure function of (seed, epoch): a new loader replays an epoch exactly', () => {
  const a = new BatchLoader(rows(100), { batchSize: 16, seed: 11 });
  const b = new BatchLoader(rows(100), { batchSize: 16, seed: 11 });
  collect(a.batches(0));
  assert.deepEqual(collect(a.batches(3)), collect(b.batches(3)));
  assert.notDeepEqual(collect(a.batches(3)), collect(a.batches(4)));
  assert.notDeepEqual(collect(a.batches(3)), collect(new BatchLoader(rows(100), { batchSize: 16, seed: 12 }).batches(3)));
});

test('batches(epoch, start) resumes mid-epoch with the batches the full epoch would have given', () => {
  const loader = new BatchLoader(rows(50), { batchSize: 8, seed: 1 });
  assert.deepEqual(collect(loader.batches(2, 4)), collect(loader.batches(2)).slice(4));
  assert.deepEqual(collect(loader.batches(2, loader.numBatches)), []);
});

test('gatherRows copies the chosen rows into a caller buffer larger than needed', () => {
  const ds = rows(6, 3);
  const out = new Float32Array(4 * 3).fill(-1);
  assert.equal(gatherRows(ds, Int32Array.from([5, 0, 2]), out), out);
  assert.deepEqual([...out], [5, 5, 5, 0, 0, 0, 2, 2, 2, -1, -1, -1]);
  const labels = gatherLabels(ds, [5, 0, 2], new Int32Array(3));
  assert.deepEqual([...labels], [5, 0, 2]);
});

test('an epoch of 10,000 MNIST-sized rows gathers quickly', () => {
  const ds = rows(10000, 784);
  const loader = new BatchLoader(ds, { batchSize: 128, seed: 0 });
  const out = new Float32Array(128 * 784);
  let sum = 0;
  const t0 = performance.now();
  for (const batch of loader.batches(0)) sum += gatherRows(ds, batch, out)[0]!;
  console.log(`# gathered 10,000 rows of 784 in ${(performance.now() - t0).toFixed(0)} ms`);
  assert.ok(sum > 0);
});

test('bad options, epochs, start batches, buffers and indices are named', () => {
  assert.throws(() => new BatchLoader(rows(4), { batchSize: 0 }), /option batchSize must be a positive integer, got 0/);
  assert.throws(() => new BatchLoader(rows(4), { batchSize: 2, seed: 0.5 }), /option seed must be an integer/);
  assert.throws(() => new BatchLoader(rows(3), { batchSize: 4, dropLast: true }), /rows: 3 rows are fewer than one batch of 4 with dropLast/);
  assert.throws(() => new BatchLoader(rows(0), { batchSize: 4 }), /rows: no rows to batch/);
  const loader = new BatchLoader(rows(4), { batchSize: 2 });
  assert.throws(() => [...loader.batches(-1)], /epoch must be a non-negative integer, got -1/);
  assert.throws(() => [...loader.batches(0, 3)], /start batch must be an integer in \[0, 2\], got 3/);
  assert.throws(() => gatherRows(rows(4), [0, 1], new Float32Array(3)), /out holds 3 values, 2 rows of 2 need 4/);
  assert.throws(() => gatherRows(rows(4), [0, 4], new Float32Array(4)), /rows: row index 4 at position 1 is outside \[0, 4\)/);
  const unlabelled = makeDataset({ x: new Float32Array(2), sampleShape: [1], source: 'u' });
  assert.throws(() => gatherLabels(unlabelled, [0], new Int32Array(1)), /u: has no labels to gather/);
});
