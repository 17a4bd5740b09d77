import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkFinite, makeDataset, subset } from './dataset.js';

const table = () =>
  makeDataset({ x: Float32Array.from([0, 1, 10, 11, 20, 21, 30, 31]), sampleShape: [2], labels: Int32Array.from([7, 8, 9, 6]), source: 't.csv' });

test('makeDataset derives n and dim from the sample shape', () => {
  const ds = makeDataset({ x: new Float32Array(2 * 3 * 4), sampleShape: [3, 4], source: 'img' });
  assert.equal(ds.n, 2);
  assert.equal(ds.dim, 12);
  assert.equal(ds.labels, null);
});

test('makeDataset refuses lengths that do not agree', () => {
  assert.throws(() => makeDataset({ x: new Float32Array(7), sampleShape: [2], source: 'a' }), /a: 7 values do not split into rows of 2/);
  assert.throws(() => makeDataset({ x: new Float32Array(4), sampleShape: [2], labels: new Int32Array(3), source: 'b' }), /b: 3 labels for 2 rows/);
  assert.throws(() => makeDataset({ x: new Float32Array(4), sampleShape: [0], source: 'c' }), /c: sample shape \[0\]/);
});

test('subset copies the chosen rows and labels in the given order', () => {
  const ds = table();
  const s = subset(ds, [3, 1, 1]);
  assert.deepEqual([...s.x], [30, 31, 10, 11, 10, 11]);
  assert.deepEqual([...s.labels!], [6, 8, 8]);
  assert.equal(s.n, 3);
  s.x[0] = -1;
  assert.equal(ds.x[6], 30, 'the subset must not share memory with its source');
});

test('subset names a bad row index and its position', () => {
  assert.throws(() => subset(table(), [0, 4]), /t\.csv: row index 4 at position 1 is outside \[0, 4\)/);
  assert.throws(() => subset(table(), [1.5]), /row index 1\.5 at position 0/);
});

test('checkFinite passes finite data and names the row and column of the first NaN or Infinity', () => {
  const ds = table();
  checkFinite(ds);
  ds.x[5] = NaN;
  assert.throws(() => checkFinite(ds), /^Error: t\.csv: row 3, column 2: value NaN is not finite \(NaN and Inf are not valid inputs\)$/);
  ds.x[2] = -Infinity;
  assert.throws(() => checkFinite(ds), /t\.csv: row 2, column 1: value -Infinity is not finite/);
});

test('makeDataset refuses a sample shape of more than 2^53 values, listing at most eight dimensions', () => {
  assert.throws(() => makeDataset({ x: new Float32Array(0), sampleShape: [2 ** 30, 2 ** 30], source: 'big' }),
    { message: `big: sample shape [${2 ** 30},${2 ** 30}] holds more than 2^53 values` });
  assert.throws(() => makeDataset({ x: new Float32Array(0), sampleShape: new Array<number>(200).fill(0), source: 'z' }),
    { message: 'z: sample shape [0,0,0,0,0,0,0,0,… (200 dimensions)] must hold positive integers' });
});
