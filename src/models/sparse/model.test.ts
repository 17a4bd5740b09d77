import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../../index.js';
import { createOptimizer } from '../../nn/optim/index.js';
import { createModel, parseModelConfig, registerBuiltinModels } from '../index.js';
import { twoPatternBatch } from '../two-patterns.fixture.js';

await ak.setBackend('reference');
registerBuiltinModels();

const make = (over: Record<string, unknown> = {}) =>
  createModel(parseModelConfig({ kind: 'sparse', inputDim: 12, hidden: [8], latentDim: 6, latentActivation: 'sigmoid', ...over }), new ak.Rng(1));

const batch = twoPatternBatch;

test('the penalty is λ·Σ|z| per sample plus β·Σ KL(ρ‖ρ̂), computed by hand', () => {
  const m = make({ l1: 0.01, klWeight: 0.5, rho: 0.1 });
  const r = ak.tidy(() => {
    const o = m.forward(batch(), { training: false });
    return { loss: o.loss.item(), recon: o.terms.recon!.item(), sparsity: o.terms.sparsity!.item(), mean: o.terms.meanActivation!.item(), z: Array.from(o.z.data) };
  });
  const [b, k] = [16, 6];
  let l1 = 0;
  const rhoHat = new Array<number>(k).fill(0);
  r.z.forEach((v, i) => {
    l1 += Math.abs(v);
    rhoHat[i % k]! += v / b;
  });
  const kl = rhoHat.reduce((s, p) => s + 0.1 * Math.log(0.1 / p) + 0.9 * Math.log(0.9 / (1 - p)), 0);
  assert.ok(Math.abs(r.sparsity - (0.01 * l1 / b + 0.5 * kl)) < 1e-5, `${r.sparsity} vs ${0.01 * l1 / b + 0.5 * kl}`);
  assert.ok(Math.abs(r.loss - r.recon - r.sparsity) < 1e-5);
  assert.ok(Math.abs(r.mean - l1 / (b * k)) < 1e-6);
});

test('a strong KL penalty drives the mean activation toward ρ while the model trains', () => {
  const m = make({ l1: 0, klWeight: 1, rho: 0.05 });
  const opt = createOptimizer({ kind: 'adam', lr: 0.02 });
  const act = () => ak.tidy(() => m.forward(batch(), { training: false }).terms.meanActivation!.item());
  const before = act();
  for (let s = 0; s < 300; s++) ak.tidy(() => opt.step(m.parameters(), ak.backward(m.forward(batch(), { training: true }).loss)));
  assert.ok(Math.abs(act() - 0.05) < Math.abs(before - 0.05) / 3, `mean activation ${before} → ${act()}`);
});

test('KL sparsity needs a sigmoid code', () => {
  assert.throws(() => parseModelConfig({ kind: 'sparse', klWeight: 1, latentActivation: 'relu' }), /model\.klWeight needs model\.latentActivation 'sigmoid'/);
  assert.throws(() => parseModelConfig({ kind: 'sparse', rho: 1 }), /model\.rho: 1 must be < 1/);
});
