import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../index.js';
import { bceWithLogits, mse } from './losses.js';

await ak.setBackend('reference');

for (const [name, loss] of [['bceWithLogits', bceWithLogits], ['mse', mse]] as const) {
  for (const dtype of ['float64', 'float32'] as const) {
    test(`fused ${name} agrees with the decomposed loss in value and gradient (${dtype})`, () => {
      const rng = new ak.Rng(3);
      const x = ak.randomNormal([7, 13], rng, 0, 4, dtype);
      const t = ak.randomUniform([7, 13], rng, 0, 1, dtype);
      x.requiresGrad = true;
      const run = (fused: boolean): [number, Float64Array] =>
        ak.tidy(() => {
          const l = loss(ak.mul(x, 1), t, { fused });
          return [l.item(), Float64Array.from(ak.backward(l).get(x)!.data)];
        });
      const [vf, gf] = run(true);
      const [vd, gd] = run(false);
      const tol = dtype === 'float64' ? 1e-12 : 1e-6;
      assert.ok(Math.abs(vf - vd) <= tol * Math.abs(vd), `value ${vf} vs ${vd}`);
      for (let i = 0; i < gf.length; i++) assert.ok(Math.abs(gf[i]! - gd[i]!) <= tol * 0.1 + tol * Math.abs(gd[i]!), `grad[${i}] ${gf[i]} vs ${gd[i]}`);
    });
  }
}

test('fused losses pass the float64 gradient check', () => {
  const rng = new ak.Rng(4);
  const t = ak.randomUniform([5, 3], rng, 0, 1, 'float64');
  const x = ak.randomNormal([5, 3], rng, 0, 2, 'float64');
  assert.ok(ak.gradCheck((z) => bceWithLogits(z, t), [x]).ok);
  assert.ok(ak.gradCheck((z) => mse(z, t), [x]).ok);
});
