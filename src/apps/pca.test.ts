import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../index.js';
import { makeDataset } from '../data/index.js';
import { fitPca, pcaSquaredError } from './pca.js';

await ak.setBackend('reference');

/** n samples of x = 3·a·u₁ + 2·b·u₂ + 1·c·u₃ + 0.1·noise + offset, with orthonormal u's in 8-D. */
function data(n: number, seed: number) {
  const rng = new ak.Rng(seed);
  const u = [[1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, -1, 0, 0, 0, 0], [1, -1, 0, 0, 1, 1, 0, 0]].map((r) => {
    const norm = Math.hypot(...r);
    return r.map((v) => v / norm);
  });
  const x = new Float32Array(n * 8);
  for (let i = 0; i < n; i++) {
    const s = [3 * rng.normal(), 2 * rng.normal(), rng.normal()];
    for (let j = 0; j < 8; j++) x[i * 8 + j] = 5 + s[0]! * u[0]![j]! + s[1]! * u[1]![j]! + s[2]! * u[2]![j]! + 0.1 * rng.normal();
  }
  return { ds: makeDataset({ x, sampleShape: [8], source: `synthetic(${seed})` }), u };
}

test('PCA finds the directions and variances of data built from them', () => {
  const { ds, u } = data(20000, 1);
  const p = fitPca(ds, 3);
  [9, 4, 1].forEach((want, j) => assert.ok(Math.abs(p.variances[j]! - want - 0.01) < 0.15 * want, `variance ${j}: ${p.variances[j]}`));
  u.forEach((dir, j) => {
    const dot = dir.reduce((s, v, i) => s + v * p.components[j * 8 + i]!, 0);
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-3, `direction ${j}: |cos| ${Math.abs(dot)}`);
  });
  assert.ok(Math.abs(p.mean[0]! - 5) < 0.1);
});

test('the reconstruction error is the variance left out: about 5 × 0.01 with 3 components, the whole with 1', () => {
  const { ds } = data(20000, 2);
  const test3 = pcaSquaredError(fitPca(ds, 3), data(5000, 3).ds);
  assert.ok(Math.abs(test3 - 5 * 0.01) < 0.01, `3 components: ${test3}`);
  const test1 = pcaSquaredError(fitPca(ds, 1), data(5000, 3).ds);
  assert.ok(Math.abs(test1 - (4 + 1 + 7 * 0.01)) < 0.3, `1 component: ${test1}`);
  assert.throws(() => fitPca(ds, 9), /components must be an integer in \[1, 8\], got 9/);
});

test('codes and reconstructions: x̄·Wᵀ, and x̄·Wᵀ·W + mean, whose squared error is pcaSquaredError', async () => {
  const { pcaReconstruct, pcaTransform } = await import('./pca.js');
  const { ds } = data(3000, 4);
  const p = fitPca(ds, 2);
  const codes = pcaTransform(p, ds, 1000);
  assert.equal(codes.length, 3000 * 2);
  const var0 = codes.filter((_, i) => i % 2 === 0).reduce((s, v) => s + v * v, 0) / 3000;
  assert.ok(Math.abs(var0 - p.variances[0]!) < 0.05 * p.variances[0]!, `code variance ${var0} against ${p.variances[0]}`);
  const back = pcaReconstruct(p, ds, 1000);
  let sq = 0;
  for (let i = 0; i < back.length; i++) sq += (back[i]! - ds.x[i]!) ** 2;
  assert.ok(Math.abs(sq / 3000 - pcaSquaredError(p, ds)) < 1e-4 * (sq / 3000));
});
