import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../../index.js';
import { createOptimizer } from '../../nn/optim/index.js';
import { ConditionalVae, createModel, fitModelToData, parseModelConfig, registerBuiltinModels } from '../index.js';

await ak.setBackend('reference');
registerBuiltinModels();

function make(over: Record<string, unknown> = {}): ConditionalVae {
  return createModel(parseModelConfig({ kind: 'cvae', inputDim: 12, hidden: [8], latentDim: 2, numClasses: 2, ...over }), new ak.Rng(1)) as ConditionalVae;
}

/** 16 samples of 12 values: class 0 is (a …, 1 − a …), class 1 the mirror image, a ∈ [0.6, 1] the "style". */
const labels = Int32Array.from({ length: 16 }, (_, i) => i % 2);
function batch(): ak.Tensor {
  const rng = new ak.Rng(7);
  const v = new Float32Array(16 * 12);
  for (let i = 0; i < 16; i++) {
    const a = 0.6 + 0.4 * rng.uniform();
    for (let j = 0; j < 12; j++) v[i * 12 + j] = (j < 6) === (labels[i] === 0) ? a : 1 - a;
  }
  return ak.tensor(v, [16, 12]);
}

test('forward gives loss = recon + β·kl, terms recon and kl, z = μ (B, latentDim) and recon in the input\'s shape', () => {
  const m = make({ beta: 2 });
  const r = ak.tidy(() => {
    const o = m.forward(ak.reshape(batch(), [16, 1, 3, 4]), { training: true, rng: new ak.Rng(2), labels });
    return { loss: o.loss.item(), recon: o.terms.recon!.item(), kl: o.terms.kl!.item(), keys: Object.keys(o.terms), z: o.z.shape, shape: o.recon.shape };
  });
  assert.ok(Math.abs(r.loss - (r.recon + 2 * r.kl)) < 1e-4 * Math.abs(r.loss));
  assert.ok(r.kl > 0);
  assert.deepEqual([r.keys, r.z, r.shape], [['recon', 'kl'], [16, 2], [16, 1, 3, 4]]);
  assert.deepEqual(m.conditioning, { kind: 'class', numClasses: 2 });
});

test('every call needs a label in range for each sample, and the label changes the result', () => {
  const m = make();
  assert.throws(() => m.forward(batch(), { training: false }), /needs the class of each sample \(labels 0 to 1\)/);
  assert.throws(() => m.forward(batch(), { training: false, labels: labels.subarray(0, 3) }), /3 labels for 16 samples/);
  assert.throws(() => m.encode(batch(), new Int32Array(16).fill(2)), /label 2 of sample 1 is outside the classes 0 to 1/);
  assert.throws(() => m.decode(ak.zeros([1, 2])), /needs the class/);
  const mu = (y: number) => ak.tidy(() => Array.from(m.encode(batch(), new Int32Array(16).fill(y)).data));
  assert.notDeepEqual(mu(0), mu(1), 'q(z | x, y) depends on y');
});

test('weights change after a step, the loss falls on a small fixed set, and the trained decoder draws the class it is given', () => {
  const m = make();
  const before = m.namedParameters().map(([, t]) => Array.from(t.data));
  const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
  const rng = new ak.Rng(5);
  const evalLoss = () => ak.tidy(() => m.forward(batch(), { training: false, labels }).loss.item());
  const first = evalLoss();
  for (let s = 0; s < 300; s++) ak.tidy(() => opt.step(m.parameters(), ak.backward(m.forward(batch(), { training: true, rng, labels }).loss)));
  m.namedParameters().forEach(([n, t], i) => assert.notDeepEqual(Array.from(t.data), before[i], `${n} did not change`));
  assert.ok(evalLoss() < first - 1, `${first} → ${evalLoss()}`);
  // The same z decoded as class 0 and as class 1: the halves swap.
  const x = ak.tidy(() => Array.from(m.decode(ak.zeros([2, 2]), Int32Array.from([0, 1])).data));
  const half = (row: number, from: number) => x.slice(row * 12 + from, row * 12 + from + 6).reduce((a, b) => a + b, 0) / 6;
  assert.ok(half(0, 0) > 0.6 && half(0, 6) < 0.4, `class 0: ${half(0, 0)}, ${half(0, 6)}`);
  assert.ok(half(1, 0) < 0.4 && half(1, 6) > 0.6, `class 1: ${half(1, 0)}, ${half(1, 6)}`);
});

test('sample draws the classes asked for, every class in turn without labels, and is seeded', () => {
  const m = make({ numClasses: 3 });
  const draw = (n: number, ys?: number[]) => ak.tidy(() => Array.from(m.sample(n, new ak.Rng(9), ys ? Int32Array.from(ys) : undefined).data));
  const s = draw(5, [2, 2, 2, 2, 2]);
  assert.equal(s.length, 5 * 12);
  assert.ok(s.every((v) => v > 0 && v < 1), 'Bernoulli means');
  assert.deepEqual(draw(5, [2, 2, 2, 2, 2]), s);
  assert.deepEqual(draw(5), draw(5, [0, 1, 2, 0, 1]), 'sample i is of class i mod numClasses');
  assert.notDeepEqual(draw(5, [0, 0, 0, 0, 0]), s);
});

test('parameter names (the one-hot columns of the first layers as side weights), config round-trip and bad configs named', () => {
  assert.deepEqual(make().namedParameters().map(([n, t]) => `${n} [${t.shape.join(', ')}]`), [
    'encoder.side_weight [8, 2]', 'encoder.layers.0.weight [8, 12]', 'encoder.layers.0.bias [8]', 'mu.weight [2, 8]', 'mu.bias [2]', 'log_var.weight [2, 8]', 'log_var.bias [2]',
    'decoder.side_weight [8, 2]', 'decoder.layers.0.weight [8, 2]', 'decoder.layers.0.bias [8]', 'decoder.layers.1.weight [12, 8]', 'decoder.layers.1.bias [12]',
  ]);
  const c = parseModelConfig({ kind: 'cvae', inputDim: 12, numClasses: 4, beta: 0.5 });
  assert.deepEqual(parseModelConfig(JSON.parse(JSON.stringify(c))), c);
  assert.equal((c as unknown as { numClasses: number }).numClasses, 4);
  assert.equal((parseModelConfig({ kind: 'cvae' }) as unknown as { numClasses: number }).numClasses, 10);
  assert.throws(() => parseModelConfig({ kind: 'cvae', numClasses: 1 }), /model\.numClasses: 1 must be ≥ 2/);
  assert.throws(() => parseModelConfig({ kind: 'cvae', numClasses: 2.5 }), /model\.numClasses/);
  assert.throws(() => parseModelConfig({ kind: 'cvae', latentDim: 0 }), /model\.latentDim: 0 must be ≥ 1/);
  assert.throws(() => parseModelConfig({ kind: 'cvae', beta: -1 }), /model\.beta: -1 must be ≥ 0/);
  assert.throws(() => parseModelConfig({ kind: 'cvae', hidden: [] }), /model\.hidden: a cvae needs at least one hidden layer/);
  assert.throws(() => parseModelConfig({ kind: 'cvae', inputDim: 784, hidden: [400], numClasses: 1e8 }), /parameters, more than/);
});

test('dense bodies only: no model.body or conv fields (the class joins dense layers); fitted to data of any shape, the size limit checked at the data\'s width', () => {
  for (const key of ['body', 'imageShape', 'encoder', 'decoder']) {
    assert.throws(() => parseModelConfig({ kind: 'cvae', [key]: key === 'body' ? 'conv' : [] }), new RegExp(`model: unknown key "${key}"`));
  }
  const c = parseModelConfig({ kind: 'cvae', hidden: [8], latentDim: 2 });
  assert.deepEqual(Object.keys(c).filter((k) => ['body', 'imageShape', 'encoder', 'decoder'].includes(k)), []);
  const fitted = fitModelToData(c, [1, 3, 4]);
  assert.equal(fitted.inputDim, 12);
  assert.equal(c.inputDim, 0, 'the config given is not changed');
  assert.equal(createModel(fitted, new ak.Rng(1)).config.inputDim, 12);
  assert.equal(fitModelToData(c, [13]).inputDim, 13, 'any sample shape fits a dense body');
  assert.throws(() => fitModelToData(parseModelConfig({ kind: 'cvae', hidden: [20_000] }), [100_000]), /parameters, more than/);
});

test('the importance-sampled log-likelihood converges to log p(x | y) by quadrature', () => {
  const m = make({ inputDim: 2, hidden: [3], latentDim: 1 });
  const rows = [[1, 0], [0, 0], [1, 1]];
  const ys = Int32Array.from([0, 1, 1]);
  // p(x | y) = ∫ Π_i p_i(z, y)^x_i (1 − p_i(z, y))^(1−x_i) N(z; 0, 1) dz with p = decode(z, y), on a fine grid.
  const grid = 4001;
  const zs = Float32Array.from({ length: grid }, (_, i) => -8 + (16 * i) / (grid - 1));
  const means = [0, 1].map((y) => Array.from(ak.tidy(() => ak.noGrad(() => m.decode(ak.tensor(zs, [grid, 1]), new Int32Array(grid).fill(y)))).data));
  const exact = rows.map((row, r) => {
    let p = 0;
    zs.forEach((z, g) => {
      const lik = row.reduce((a, xi, i) => a * (xi ? means[ys[r]!]![g * 2 + i]! : 1 - means[ys[r]!]![g * 2 + i]!), 1);
      p += lik * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI) * (16 / (grid - 1));
    });
    return Math.log(p);
  });
  const iw = ak.tidy(() => m.logLikelihood(ak.tensor(rows.flat(), [3, 2]), 20000, new ak.Rng(1), ys));
  exact.forEach((e, i) => assert.ok(Math.abs(iw[i]! - e) < 0.01, `row ${i}: ${iw[i]} vs ${e}`));
  assert.throws(() => m.logLikelihood(ak.tensor(rows.flat(), [3, 2]), 5, new ak.Rng(1)), /needs the class/);
});
