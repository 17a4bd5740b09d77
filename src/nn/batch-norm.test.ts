import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../index.js';
import { BatchNorm1d } from './batch-norm.js';
import { Dropout } from './dropout.js';
import { Module } from './module.js';

await ak.setBackend('reference');

const x = () => ak.tensor([1, 10, 2, 20, 3, 60, 6, 30], [4, 2]);

test('batch norm in training normalises each feature over the batch and moves the running statistics as PyTorch does', () => {
  const bn = new BatchNorm1d({ features: 2 });
  const y = ak.tidy(() => Array.from(bn.forward(x()).data));
  // Feature 0: 1,2,3,6 → mean 3, biased variance 3.5.
  const expect0 = [1, 2, 3, 6].map((v) => (v - 3) / Math.sqrt(3.5 + 1e-5));
  [0, 2, 4, 6].forEach((i, k) => assert.ok(Math.abs(y[i]! - expect0[k]!) < 1e-5));
  // running_mean = 0.9·0 + 0.1·3; running_var = 0.9·1 + 0.1·(3.5·4/3).
  assert.ok(Math.abs(bn.runningMean.data[0]! - 0.3) < 1e-6);
  assert.ok(Math.abs(bn.runningVar.data[0]! - (0.9 + (0.1 * 3.5 * 4) / 3)) < 1e-6);
  assert.ok(Math.abs(bn.runningMean.data[1]! - 3) < 1e-5, 'feature 1: 10,20,60,30 → mean 30');
});

test('batch norm in evaluation uses the running statistics and leaves them alone', () => {
  const bn = new BatchNorm1d({ features: 2 }).setTraining(false);
  const y = ak.tidy(() => Array.from(bn.forward(x()).data));
  y.forEach((v, i) => assert.ok(Math.abs(v - x().data[i]! / Math.sqrt(1 + 1e-5)) < 1e-5));
  assert.deepEqual(Array.from(bn.runningMean.data), [0, 0]);
  assert.throws(() => new BatchNorm1d({ features: 2 }).forward(ak.tensor([1, 2], [1, 2])), /at least 2 samples per batch/);
});

test('batch norm gradients agree with float64 central differences', () => {
  const bn = new BatchNorm1d({ features: 3 });
  const input = ak.randomNormal([5, 3], new ak.Rng(3), 0, 2, 'float64');
  const w = ak.randomUniform([3], new ak.Rng(4), 0.5, 1.5, 'float64');
  const b = ak.randomUniform([3], new ak.Rng(5), -1, 1, 'float64');
  // The layer's own math on float64 tensors, with its affine parameters as inputs.
  const f = (xx: ak.Tensor, ww: ak.Tensor, bb: ak.Tensor) => {
    const mu = ak.mean(xx, 0);
    const c = ak.sub(xx, mu);
    return ak.add(ak.mul(ak.div(c, ak.sqrt(ak.add(ak.mean(ak.square(c), 0), 1e-5))), ww), bb);
  };
  const r = ak.gradCheck(f, [input, w, b]);
  assert.ok(r.ok, r.report);
  const y = ak.tidy(() => Array.from(bn.forward(ak.cast(input, 'float32')).data));
  const ref = ak.tidy(() => Array.from(f(input, ak.full([3], 1, 'float64'), ak.full([3], 0, 'float64')).data));
  y.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < 1e-5, 'the layer computes the checked function'));
});

test('dropout: identity in evaluation; in training zeroes about p of the values, scales the rest, and repeats with the seed', () => {
  const d = new Dropout(0.25);
  const ones = ak.ones([100, 40]);
  d.setTraining(false);
  assert.equal(d.forward(ones), ones);
  d.setTraining(true);
  const a = Array.from(ak.tidy(() => d.forward(ones, new ak.Rng(9))).data);
  const zeros = a.filter((v) => v === 0).length / a.length;
  assert.ok(Math.abs(zeros - 0.25) < 0.03, `dropped ${zeros}`);
  assert.ok(a.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
  assert.deepEqual(Array.from(ak.tidy(() => d.forward(ones, new ak.Rng(9))).data), a);
  assert.throws(() => d.forward(ones), /needs a random generator/);
  assert.throws(() => new Dropout(1), /in \[0, 1\)/);
});

test('buffers are named and saved with the parameters, not trained, and modes reach every child', () => {
  class Net extends Module {
    readonly norm = this.addModule('norm', new BatchNorm1d({ features: 2 }));
  }
  const net = new Net().nameParameters();
  assert.deepEqual(net.namedParameters().map(([n]) => n), ['norm.weight', 'norm.bias']);
  assert.deepEqual(net.namedBuffers().map(([n]) => n), ['norm.running_mean', 'norm.running_var']);
  assert.equal(net.numParameters(), 4);
  net.setTraining(false);
  assert.equal(net.norm.training, false);
  const saved = new Map(net.namedState().map(([n, t]) => [n, { shape: t.shape, data: Float32Array.of(...t.data.map((v) => v + 1)) }]));
  const other = new Net().nameParameters();
  other.loadParameters(saved, 'test');
  assert.deepEqual(Array.from(other.norm.runningVar.data), [2, 2]);
  saved.delete('norm.running_mean');
  assert.throws(() => other.loadParameters(saved, 'f.safetensors'), /f\.safetensors: missing parameter 'norm\.running_mean'/);
});
