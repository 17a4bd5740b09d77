import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../../index.js';
import { createOptimizer } from '../../nn/optim/index.js';
import { createModel, fitModelToData, parseModelConfig, registerBuiltinModels, VariationalAutoencoder } from '../index.js';
import { twoPatternBatch } from '../two-patterns.fixture.js';

await ak.setBackend('reference');
registerBuiltinModels();

function make(over: Record<string, unknown> = {}): VariationalAutoencoder {
  return createModel(parseModelConfig({ kind: 'vae', inputDim: 12, hidden: [8], latentDim: 2, ...over }), new ak.Rng(1)) as VariationalAutoencoder;
}

const batch = twoPatternBatch;

test('forward gives loss = recon + β·kl, terms recon and kl, z = μ, and recon in the input\'s shape', () => {
  for (const beta of [1, 4]) {
    const m = make({ beta });
    const r = ak.tidy(() => {
      const o = m.forward(ak.reshape(batch(), [16, 1, 3, 4]), { training: true, rng: new ak.Rng(2) });
      return { loss: o.loss.item(), recon: o.terms.recon!.item(), kl: o.terms.kl!.item(), z: o.z.shape, shape: o.recon.shape };
    });
    assert.ok(Math.abs(r.loss - (r.recon + beta * r.kl)) < 1e-4 * Math.abs(r.loss));
    assert.ok(r.kl > 0);
    assert.deepEqual([r.z, r.shape], [[16, 2], [16, 1, 3, 4]]);
  }
});

test('KL is exact for a known Gaussian, and recon is the summed Bernoulli log-loss', () => {
  const m = make();
  const x = batch();
  const { mu, logVar } = ak.tidy(() => {
    const d = m.distribution(x);
    return { mu: Array.from(d.mu.data), logVar: Array.from(d.logVar.data) };
  });
  let kl = 0;
  for (let i = 0; i < mu.length; i++) kl += -0.5 * (1 + logVar[i]! - mu[i]! ** 2 - Math.exp(logVar[i]!));
  const out = ak.tidy(() => m.forward(x, { training: false }).terms.kl!.item());
  assert.ok(Math.abs(out - kl / 16) < 1e-5, `${out} vs ${kl / 16}`);
});

test('evaluation is deterministic (z = μ); training samples z from the step generator', () => {
  const m = make();
  const run = (training: boolean, seed: number) => ak.tidy(() => m.forward(batch(), { training, rng: new ak.Rng(seed) }).loss.item());
  assert.equal(run(false, 1), run(false, 2));
  assert.notEqual(run(true, 1), run(true, 2));
  assert.equal(run(true, 3), run(true, 3));
  assert.throws(() => m.forward(batch(), { training: true }), /needs a random generator/);
});

test('KL warm-up: β rises from 0 over the first klWarmup of training', () => {
  const m = make({ klWarmup: 0.5, beta: 2 });
  const at = (progress: number) => ak.tidy(() => {
    const o = m.forward(batch(), { training: true, rng: new ak.Rng(4), progress });
    return (o.loss.item() - o.terms.recon!.item()) / o.terms.kl!.item();
  });
  assert.ok(Math.abs(at(0)) < 1e-6);
  assert.ok(Math.abs(at(0.25) - 1) < 1e-4);
  assert.ok(Math.abs(at(0.9) - 2) < 1e-4);
});

test('weights change after a step, the loss falls on a small fixed set, and prior samples are seeded', () => {
  const m = make({ likelihood: 'bernoulli' });
  const before = m.namedParameters().map(([, t]) => Array.from(t.data));
  const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
  const rng = new ak.Rng(5);
  const evalLoss = () => ak.tidy(() => m.forward(batch(), { training: false }).loss.item());
  const first = evalLoss();
  for (let s = 0; s < 200; s++) ak.tidy(() => opt.step(m.parameters(), ak.backward(m.forward(batch(), { training: true, rng }).loss)));
  m.namedParameters().forEach(([n, t], i) => assert.notDeepEqual(Array.from(t.data), before[i], `${n} did not change`));
  assert.ok(evalLoss() < first - 0.5, `${first} → ${evalLoss()}`);
  const s1 = Array.from(ak.tidy(() => m.sample(5, new ak.Rng(9))).data);
  assert.equal(s1.length, 5 * 12);
  assert.ok(s1.every((v) => v > 0 && v < 1), 'Bernoulli means');
  assert.deepEqual(Array.from(ak.tidy(() => m.sample(5, new ak.Rng(9))).data), s1);
});

test('parameter names, config round-trip and bad configs named', () => {
  assert.deepEqual(make().namedParameters().map(([n]) => n), [
    'encoder.layers.0.weight', 'encoder.layers.0.bias', 'mu.weight', 'mu.bias', 'log_var.weight', 'log_var.bias',
    'decoder.layers.0.weight', 'decoder.layers.0.bias', 'decoder.layers.1.weight', 'decoder.layers.1.bias',
  ]);
  const c = parseModelConfig({ kind: 'vae', inputDim: 12, beta: 0.5 });
  assert.deepEqual(parseModelConfig(JSON.parse(JSON.stringify(c))), c);
  assert.throws(() => parseModelConfig({ kind: 'vae', beta: -1 }), /model\.beta: -1 must be ≥ 0/);
  assert.throws(() => parseModelConfig({ kind: 'vae', latentDim: 0 }), /model\.latentDim: 0 must be ≥ 1/);
  assert.throws(() => parseModelConfig({ kind: 'vae', likelihood: 'poisson' }), /model\.likelihood: "poisson" is not one of bernoulli, gaussian/);
});

test('the importance-sampled log-likelihood converges to log p(x) by quadrature, and K = 1 stays below it (the ELBO bound)', () => {
  const m = make({ inputDim: 2, hidden: [], latentDim: 1 });
  const x = ak.tensor([1, 0, 0, 0, 1, 1], [3, 2]);
  // p(x) = ∫ Π_i σ(l_i)^x_i (1 − σ(l_i))^(1−x_i) N(z; 0, 1) dz with l = decoder(z), on a fine grid.
  const grid = 4001;
  const zs = Float32Array.from({ length: grid }, (_, i) => -8 + (16 * i) / (grid - 1));
  const logits = Array.from(ak.tidy(() => ak.noGrad(() => {
    const d = (m as unknown as { decoder: { forward(z: ak.Tensor): ak.Tensor } }).decoder;
    return d.forward(ak.tensor(zs, [grid, 1]));
  })).data);
  const exact = [[1, 0], [0, 0], [1, 1]].map((row) => {
    let p = 0;
    zs.forEach((z, g) => {
      let lik = 1;
      row.forEach((xi, i) => {
        const s = 1 / (1 + Math.exp(-logits[g * 2 + i]!));
        lik *= xi ? s : 1 - s;
      });
      p += lik * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI) * (16 / (grid - 1));
    });
    return Math.log(p);
  });
  const iw = ak.tidy(() => m.logLikelihood(x, 20000, new ak.Rng(1)));
  exact.forEach((e, i) => assert.ok(Math.abs(iw[i]! - e) < 0.01, `row ${i}: ${iw[i]} vs ${e}`));
  const elbo = Array.from({ length: 200 }, (_, s) => ak.tidy(() => m.logLikelihood(x, 1, new ak.Rng(100 + s))));
  exact.forEach((e, i) => assert.ok(elbo.reduce((a, r) => a + r[i]!, 0) / 200 < e, `row ${i}: the K = 1 mean is not below log p(x)`));
});

test('a conv body (model.body conv) uses the same ELBO: loss = recon + β·kl, image-shaped recon, samples and a finite log-likelihood', () => {
  const config = fitModelToData(parseModelConfig({
    kind: 'vae', body: 'conv', latentDim: 2, beta: 2,
    encoder: ['conv(4,3,s2,relu,same)', 'flatten', 'dense(6,relu)'],
    decoder: ['dense(16,relu)', 'reshape(4,2,2)', 'convt(1,3,s2,same)'],
  }), [1, 4, 4]);
  assert.deepEqual([config.inputDim, (config as unknown as { imageShape: number[] }).imageShape], [16, [1, 4, 4]]);
  const m = createModel(config, new ak.Rng(1)) as VariationalAutoencoder;
  const x = ak.reshape(batch(), [16, 1, 3, 4]);
  const images = ak.tensor(Float32Array.from({ length: 16 * 16 }, (_, i) => x.data[i % x.size]!), [16, 1, 4, 4]);
  const r = ak.tidy(() => {
    const o = m.forward(images, { training: true, rng: new ak.Rng(2) });
    return { loss: o.loss.item(), recon: o.terms.recon!.item(), kl: o.terms.kl!.item(), z: o.z.shape, shape: o.recon.shape };
  });
  assert.ok(Math.abs(r.loss - (r.recon + 2 * r.kl)) < 1e-4 * Math.abs(r.loss));
  assert.deepEqual([r.z, r.shape], [[16, 2], [16, 1, 4, 4]]);
  assert.deepEqual(ak.tidy(() => m.sample(3, new ak.Rng(3)).shape), [3, 16]);
  const ll = m.logLikelihood(images, 4, new ak.Rng(4));
  assert.ok(ll.length === 16 && ll.every((v) => Number.isFinite(v) && v < 0));
  assert.deepEqual(m.namedParameters().map(([n]) => n).filter((n) => !n.startsWith('encoder.') && !n.startsWith('decoder.')), ['mu.weight', 'mu.bias', 'log_var.weight', 'log_var.bias']);
  assert.throws(() => fitModelToData(parseModelConfig({ kind: 'vae', body: 'conv', encoder: ['conv(4,3,s2,relu,same)'], decoder: ['dense(16,relu)', 'reshape(4,2,2)', 'convt(1,3,s2,same)'] }), [1, 4, 4]), /model\.encoder of a VAE must end in a vector/);
});
