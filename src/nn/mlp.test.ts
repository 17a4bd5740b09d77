import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../index.js';
import { Mlp } from './mlp.js';

await ak.setBackend('reference');

test('a side input is concatenated to the input at the first layer: act(Wₓ·x + Wₛ·s + b) = act(W·[x; s] + b)', () => {
  const mlp = new Mlp([3, 4, 2], 'tanh', 'sigmoid', new ak.Rng(1), { sideFeatures: 2 });
  const x = [0.5, -1, 2, 0, 1, -0.5];
  const s = [1, 0, 0, 1];
  const got = ak.tidy(() => Array.from(mlp.forward(ak.tensor(x, [2, 3]), undefined, ak.tensor(s, [2, 2])).data));
  const [l0, l1] = mlp.layers.items;
  const wx = l0!.weight.data, ws = mlp.sideWeight!.data, b0 = l0!.bias.data, w1 = l1!.weight.data, b1 = l1!.bias.data;
  for (let r = 0; r < 2; r++) {
    const joint = [...x.slice(3 * r, 3 * r + 3), ...s.slice(2 * r, 2 * r + 2)];
    const h = Array.from({ length: 4 }, (_, o) => Math.tanh(b0[o]! + joint.reduce((a, v, i) => a + v * (i < 3 ? wx[o * 3 + i]! : ws[o * 2 + i - 3]!), 0)));
    for (let o = 0; o < 2; o++) {
      const y = 1 / (1 + Math.exp(-(b1[o]! + h.reduce((a, v, i) => a + v * w1[o * 4 + i]!, 0))));
      assert.ok(Math.abs(got[r * 2 + o]! - y) < 1e-5, `row ${r}, output ${o}: ${got[r * 2 + o]} vs ${y}`);
    }
  }
  assert.deepEqual(mlp.namedParameters().map(([n, t]) => `${n} [${t.shape.join(', ')}]`), ['side_weight [4, 2]', 'layers.0.weight [4, 3]', 'layers.0.bias [4]', 'layers.1.weight [2, 4]', 'layers.1.bias [2]']);
  assert.throws(() => mlp.forward(ak.tensor(x, [2, 3])), /needs a side input of 2 features/);
  assert.throws(() => new Mlp([3, 2], 'relu', 'linear', new ak.Rng(1)).forward(ak.tensor(x, [2, 3]), undefined, ak.tensor(s, [2, 2])), /takes no side input/);
});

test('the first layer with a side input is initialised as one matrix over [x; s]: the fan-in counts both', () => {
  const limit = Math.sqrt(6 / (10 + 2)); // He uniform, fan-in 10 + 2
  const mlp = new Mlp([10, 50, 1], 'relu', 'linear', new ak.Rng(3), { sideFeatures: 2, init: 'heUniform' });
  const all = [...mlp.layers.items[0]!.weight.data, ...mlp.sideWeight!.data];
  assert.ok(all.every((v) => Math.abs(v) <= limit), 'within the limit of fan-in 12');
  assert.ok(Math.max(...all.map(Math.abs)) > 0.95 * limit, 'and filling it');
  const side = new Mlp([10, 50, 1], 'relu', 'linear', new ak.Rng(3), { sideFeatures: 2, init: 'torch' });
  const bias = Array.from(side.layers.items[0]!.bias.data);
  assert.ok(bias.every((v) => Math.abs(v) <= 1 / Math.sqrt(12)) && bias.some((v) => v !== 0), 'PyTorch-style biases with the joint fan-in');
});
