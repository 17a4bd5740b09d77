import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../../index.js';
import { createOptimizer } from '../../nn/optim/index.js';
import { createModel, DenoisingAutoencoder, parseModelConfig, registerBuiltinModels } from '../index.js';
import { twoPatternBatch } from '../two-patterns.fixture.js';

await ak.setBackend('reference');
registerBuiltinModels();

const make = (over: Record<string, unknown> = {}) =>
  createModel(parseModelConfig({ kind: 'denoising', inputDim: 12, hidden: [8], latentDim: 3, ...over }), new ak.Rng(1)) as DenoisingAutoencoder;

const batch = twoPatternBatch;

test('each corruption does what it says, seeded, within [0, 1] when clipped', () => {
  const x = ak.full([200, 50], 0.5);
  const stats = (noise: string, level: number) => ak.tidy(() => {
    const v = Array.from(make({ noise, noiseLevel: level }).corrupt(x, new ak.Rng(3)).data);
    return { v, zeros: v.filter((e) => e === 0).length / v.length, ones: v.filter((e) => e === 1).length / v.length };
  });
  const g = stats('gaussian', 0.4);
  assert.ok(g.v.every((e) => e >= 0 && e <= 1));
  const sd = Math.sqrt(g.v.reduce((s, e) => s + (e - 0.5) ** 2, 0) / g.v.length);
  assert.ok(sd > 0.25 && sd < 0.4, `clipped σ ${sd}`);
  const m = stats('masking', 0.3);
  assert.ok(Math.abs(m.zeros - 0.3) < 0.02 && m.v.every((e) => e === 0 || e === 0.5));
  const sp = stats('salt-and-pepper', 0.2);
  assert.ok(Math.abs(sp.zeros - 0.1) < 0.015 && Math.abs(sp.ones - 0.1) < 0.015);
  assert.deepEqual(stats('masking', 0.3).v, m.v, 'the same generator gives the same corruption');
});

test('training corrupts the input but scores against the clean one; evaluation sees clean data', () => {
  const m = make({ noise: 'masking', noiseLevel: 0.5 });
  const clean = ak.tidy(() => m.forward(batch(), { training: false }).loss.item());
  const noisy = ak.tidy(() => m.forward(batch(), { training: true, rng: new ak.Rng(2) }).loss.item());
  assert.notEqual(clean, noisy);
  assert.equal(ak.tidy(() => m.forward(batch(), { training: false }).loss.item()), clean);
  // Training on corrupted inputs still lowers the loss on clean ones.
  const opt = createOptimizer({ kind: 'adam', lr: 0.02 });
  const rng = new ak.Rng(4);
  for (let s = 0; s < 150; s++) ak.tidy(() => opt.step(m.parameters(), ak.backward(m.forward(batch(), { training: true, rng }).loss)));
  assert.ok(ak.tidy(() => m.forward(batch(), { training: false }).loss.item()) < clean - 0.05);
  assert.throws(() => m.forward(batch(), { training: true }), /needs a random generator/);
});

test('bad corruption settings are named', () => {
  assert.throws(() => parseModelConfig({ kind: 'denoising', noise: 'masking', noiseLevel: 1 }), /noiseLevel is a probability for masking noise and must be < 1/);
  assert.throws(() => parseModelConfig({ kind: 'denoising', noise: 'blur' }), /model\.noise: "blur" is not one of gaussian, masking, salt-and-pepper/);
  assert.throws(() => parseModelConfig({ kind: 'denoising', noiseLevel: -0.1 }), /model\.noiseLevel: -0\.1 must be ≥ 0/);
});
