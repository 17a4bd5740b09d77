import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMnist, loadMnistFiles } from './mnist.js';

test('the training split holds 60,000 labelled 28×28 digits scaled to [0, 1]', () => {
  const t0 = performance.now();
  const ds = loadMnist('train');
  console.log(`# loadMnist('train') took ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(ds.n, 60000);
  assert.equal(ds.dim, 784);
  assert.deepEqual(ds.sampleShape, [1, 28, 28]);
  assert.equal(ds.x.length, 60000 * 784);
  assert.equal(ds.labels!.length, 60000);
  assert.equal(ds.labels![0], 5);
  let lo = Infinity, hi = -Infinity;
  for (const v of ds.x) { if (v < lo) lo = v; if (v > hi) hi = v; }
  assert.equal(lo, 0);
  assert.equal(hi, 1);
  // Pixel 152 of the first image is 3 in the file (the first non-zero pixel of the famous "5").
  const first = ds.x.subarray(0, 784).findIndex((v) => v > 0);
  assert.equal(first, 152);
  assert.equal(ds.x[first], Math.fround(3 / 255));
  const counts = new Array<number>(10).fill(0);
  for (const l of ds.labels!) counts[l]!++;
  assert.deepEqual(counts, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
});

test('the test split holds 10,000 digits and starts with a 7', () => {
  const ds = loadMnist('test');
  assert.equal(ds.n, 10000);
  assert.equal(ds.labels![0], 7);
  assert.match(ds.source, /t10k-images-idx3-ubyte$/);
});

test('limit keeps the first rows, the same as the full load', () => {
  const small = loadMnist('test', { limit: 3 });
  const full = loadMnist('test');
  assert.equal(small.n, 3);
  assert.deepEqual(small.x, full.x.subarray(0, 3 * 784));
  assert.deepEqual([...small.labels!], [...full.labels!.subarray(0, 3)]);
  assert.equal(loadMnist('test', { limit: 1e6 }).n, 10000);
});

test('a bad split or limit fails naming it', () => {
  assert.throws(() => loadMnist('valid' as 'test'), /split must be 'train' or 'test', got "valid"/);
  assert.throws(() => loadMnist('test', { limit: 0 }), /option limit must be a positive integer, got 0/);
  assert.throws(() => loadMnist('test', { limit: 2.5 }), /option limit/);
});

test('MNIST files that are special files are refused unread', { skip: !existsSync('/dev/zero') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'aekit-mnist-'));
  try {
    const labels = join(dir, 'labels-idx1-ubyte');
    writeFileSync(labels, Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 1, 5));
    assert.throws(() => loadMnistFiles('/dev/zero', labels), { message: '/dev/zero: is not a regular file (a character device)' });
    assert.throws(() => loadMnistFiles(dir, '/dev/zero'), { message: '/dev/zero: is not a regular file (a character device)' });
    assert.throws(() => loadMnistFiles(dir, labels), { message: `${dir}: is not a regular file (a directory)` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('images that do not match the labels fail naming both files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aekit-mnist-'));
  try {
    const labels = join(dir, 'labels-idx1-ubyte'), images = join(dir, 'images-idx3-ubyte');
    writeFileSync(labels, Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 0));
    writeFileSync(images, Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28, ...new Uint8Array(784)));
    const want = `${images}: expected unsigned bytes of shape [0, 28, 28] (0 images for the labels in ${labels}), got type 0x8 shape [1,28,28]`;
    assert.throws(() => loadMnistFiles(images, labels), { message: want });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
