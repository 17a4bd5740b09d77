import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../index.js';

await ak.setBackend('reference');

test('add broadcasts a row over a matrix', () => {
  const a = ak.tensor([[1, 2, 3], [4, 5, 6]]);
  const b = ak.tensor([10, 20, 30]);
  assert.deepEqual(ak.add(a, b).toNested(), [[11, 22, 33], [14, 25, 36]]);
});

test('matmul in every transpose combination matches hand-computed values', () => {
  const a = ak.tensor([[1, 2], [3, 4]]);
  const b = ak.tensor([[5, 6], [7, 8]]);
  assert.deepEqual(ak.matmul(a, b).toNested(), [[19, 22], [43, 50]]);
  assert.deepEqual(ak.matmul(a, b, { transposeA: true }).toNested(), [[26, 30], [38, 44]]);
  assert.deepEqual(ak.matmul(a, b, { transposeB: true }).toNested(), [[17, 23], [39, 53]]);
  assert.deepEqual(ak.matmul(a, b, { transposeA: true, transposeB: true }).toNested(), [[23, 31], [34, 46]]);
});

test('backward of sum(x*w) gives w and x', () => {
  const x = ak.tensor([1, 2, 3]);
  const w = ak.tensor([4, 5, 6]);
  x.requiresGrad = true;
  w.requiresGrad = true;
  const g = ak.backward(ak.sum(ak.mul(x, w)));
  assert.deepEqual([...g.get(x)!.data], [4, 5, 6]);
  assert.deepEqual([...g.get(w)!.data], [1, 2, 3]);
});

test('tidy disposes intermediates and keeps the result', () => {
  const before = ak.numTensors();
  const kept = ak.tidy(() => ak.add(ak.mul(ak.ones([3]), 2), 1));
  assert.equal(ak.numTensors(), before + 1);
  assert.deepEqual([...kept.data], [3, 3, 3]);
  kept.dispose();
  assert.equal(ak.numTensors(), before);
});

test('a missing kernel names the kernel and the backend', () => {
  ak.registerKernel('partial', 'Add', ak.getKernel('reference', 'Add'));
  assert.throws(() => ak.getKernel('partial', 'MatMul'), /kernel 'MatMul' is not implemented on backend 'partial'/);
  assert.equal(ak.getKernel('partial', 'Add'), ak.getKernel('reference', 'Add'));
});

test('firstDisagreement names the first element outside the tolerance, and null when all agree', () => {
  assert.equal(ak.firstDisagreement([[1, 2.0001]], [[1, 2]], 1e-4, ['a', 'b']), null);
  assert.equal(ak.firstDisagreement([[1, 2.01]], [[1, 2]], 1e-4, ['a', 'b']), 'tensor 0 element 1: a 2.01, b 2');
  assert.equal(ak.firstDisagreement([[NaN]], [[1]], 1e-4, ['a', 'b']), 'tensor 0 element 0: a NaN, b 1');
  assert.equal(ak.firstDisagreement([[1]], [[1], [2]], 1e-4, ['a', 'b']), '1 tensors against 2');
});
