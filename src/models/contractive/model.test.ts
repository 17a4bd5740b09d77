import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../../index.js';
import { createOptimizer } from '../../nn/optim/index.js';
import { ContractiveAutoencoder, createModel, jacobianNormSquared, parseModelConfig, registerBuiltinModels } from '../index.js';
import type { ActivationName } from '../../core/index.js';

await ak.setBackend('reference');
registerBuiltinModels();

const f64 = (shape: number[], seed: number, scale = 1) => ak.randomNormal(shape, new ak.Rng(seed), 0, scale, 'float64');

/** A float64 dense encoder d → hidden… → k. */
function encoder(dims: number[], acts: ActivationName[]) {
  return dims.slice(1).map((out, i) => ({ weight: f64([out, dims[i]!], 10 + i, 0.6), bias: f64([out], 20 + i, 0.3), activation: acts[i]! }));
}

function encode(x: Float64Array, layers: ReturnType<typeof encoder>): number[] {
  return ak.tidy(() => {
    let h = ak.tensor(x, [1, x.length], 'float64');
    for (const l of layers) h = ak.activate(ak.add(ak.matmul(h, l.weight, { transposeB: true }), l.bias), l.activation);
    return Array.from(h.data);
  });
}

test('‖J‖²_F equals the squared entries of a finite-difference Jacobian, for 1, 2 and 3 layers', () => {
  for (const [dims, acts] of [[[5, 3], ['sigmoid']], [[5, 4, 3], ['tanh', 'sigmoid']], [[6, 5, 4, 2], ['relu', 'tanh', 'linear']]] as [number[], ActivationName[]][]) {
    const layers = encoder(dims, acts);
    const x = f64([3, dims[0]!], 1);
    const got = ak.tidy(() => jacobianNormSquared(x, layers).item());
    let want = 0;
    for (let b = 0; b < 3; b++) {
      const row = Float64Array.from(x.data.subarray(b * dims[0]!, (b + 1) * dims[0]!));
      for (let i = 0; i < row.length; i++) {
        const [up, down] = [Float64Array.from(row), Float64Array.from(row)];
        up[i]! += 1e-6;
        down[i]! -= 1e-6;
        const [zu, zd] = [encode(up, layers), encode(down, layers)];
        for (let j = 0; j < zu.length; j++) want += ((zu[j]! - zd[j]!) / 2e-6) ** 2;
      }
    }
    assert.ok(Math.abs(got - want / 3) < 1e-6 * Math.max(1, want), `${dims}: ${got} vs ${want / 3}`);
  }
});

test('one sigmoid layer gives the closed form Σ_j σ\'(a_j)² Σ_i W_ji²', () => {
  const [l] = encoder([4, 3], ['sigmoid']);
  const x = f64([2, 4], 2);
  const got = ak.tidy(() => jacobianNormSquared(x, [l!]).item());
  const want = ak.tidy(() => {
    const h = ak.sigmoid(ak.add(ak.matmul(x, l!.weight, { transposeB: true }), l!.bias));
    const d2 = ak.square(ak.mul(h, ak.sub(1, h))); // (B, 3)
    return ak.mean(ak.sum(ak.mul(d2, ak.sum(ak.square(l!.weight), 1)), 1)).item();
  });
  assert.ok(Math.abs(got - want) < 1e-12);
});

test('the penalty\'s gradient with respect to every weight and bias agrees with finite differences', () => {
  const layers = encoder([4, 3, 2], ['tanh', 'sigmoid']);
  const x = f64([3, 4], 3);
  const r = ak.gradCheck((w0, b0, w1, b1) => jacobianNormSquared(x, [
    { weight: w0, bias: b0, activation: 'tanh' }, { weight: w1, bias: b1, activation: 'sigmoid' },
  ]), layers.flatMap((l) => [l.weight, l.bias]));
  assert.ok(r.ok, r.report);
});

test('the model adds λ·‖J‖² to its loss, and training with it contracts the encoder more than without', () => {
  const data = ak.randomUniform([32, 10], new ak.Rng(4));
  const train = (contraction: number) => {
    const m = createModel(parseModelConfig({ kind: 'contractive', inputDim: 10, hidden: [8], latentDim: 3, activation: 'sigmoid', latentActivation: 'sigmoid', contraction, loss: 'mse', outputActivation: 'linear' }), new ak.Rng(1)) as ContractiveAutoencoder;
    const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
    for (let s = 0; s < 200; s++) ak.tidy(() => opt.step(m.parameters(), ak.backward(m.forward(data, { training: true }).loss)));
    return ak.tidy(() => {
      const o = m.forward(data, { training: false });
      const layers = m.encoder.layers.items.map((l) => ({ weight: l.weight, bias: l.bias, activation: l.config.activation }));
      return { loss: o.loss.item(), recon: o.terms.recon!.item(), penalty: o.terms.contraction!.item(), norm: jacobianNormSquared(data, layers).item() };
    });
  };
  const plain = train(0);
  const contracted = train(1);
  assert.equal(plain.penalty, 0);
  assert.ok(Math.abs(contracted.loss - contracted.recon - contracted.penalty) < 1e-6);
  assert.ok(Math.abs(contracted.penalty - contracted.norm) < 1e-6);
  assert.ok(contracted.norm < plain.norm / 2, `‖J‖² ${plain.norm} without the penalty, ${contracted.norm} with it`);
});

test('activations without a closed-form derivative, and batch norm, are refused', () => {
  assert.throws(() => parseModelConfig({ kind: 'contractive', activation: 'gelu' }), /model\.activation 'gelu': the contractive penalty supports linear, relu, sigmoid, tanh/);
  assert.throws(() => parseModelConfig({ kind: 'contractive', batchNorm: true }), /cannot be combined with the contractive penalty/);
});
