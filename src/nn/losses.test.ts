import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ak from '../index.js';
import type { DType, Tensor } from '../core/index.js';
import { bce, bceWithLogits, l1, mse, softmaxCrossEntropy, sqErrPerSample, type Reduction } from './losses.js';
import { repoRoot } from '../../test/helpers.js';

await ak.setBackend('reference');


interface Arr {
  shape: number[];
  data: number[];
}
interface LossCase {
  name: string;
  op: string;
  inputs: Arr[];
  out: Arr;
  w: number[];
  grads: (number[] | null)[];
}
const goldens = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/goldens/losses.json'), 'utf8')) as { cases: LossCase[] };

const LOSSES = { mse, l1, bceWithLogits, bce };

function assertClose(actual: ArrayLike<number>, expected: readonly number[], rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const ok = Math.abs(actual[i]! - expected[i]!) <= atol + rtol * Math.abs(expected[i]!);
    assert.ok(ok, `${what}: element ${i} is ${actual[i]}, PyTorch gives ${expected[i]}`);
  }
}

function runCase(c: LossCase, dtype: DType): { out: Tensor; grads: (Tensor | undefined)[] } {
  const [name, reduction] = c.op.split('/') as [keyof typeof LOSSES, Reduction];
  const xs = c.inputs.map((a, i) => {
    const t = ak.tensor(a.data, a.shape, dtype);
    t.requiresGrad = c.grads[i] !== null;
    return t;
  });
  const out = LOSSES[name](xs[0]!, xs[1]!, { reduction });
  if (!out.requiresGrad) return { out, grads: [] };
  const g = ak.backward(ak.sum(ak.mul(out, ak.tensor(c.w, c.out.shape, dtype))));
  return { out, grads: xs.map((x) => g.get(x)) };
}

for (const [dtype, rtol, atol] of [['float64', 1e-12, 1e-14], ['float32', 1e-5, 1e-6]] as const) {
  describe(`losses match PyTorch in ${dtype}`, () => {
    for (const c of goldens.cases) {
      test(c.name, () => ak.tidy(() => {
        const { out, grads } = runCase(c, dtype);
        assert.deepEqual([...out.shape], c.out.shape);
        assertClose(out.data, c.out.data, rtol, atol, `${c.name} forward`);
        c.grads.forEach((g, i) => g && assertClose(grads[i]!.data, g, rtol, atol, `${c.name} gradient ${i}`));
      }));
    }
  });
}

describe('losses', () => {
  test('every loss and reduction has a golden', () => {
    const ops = new Set(goldens.cases.map((c) => c.op));
    for (const l of Object.keys(LOSSES)) for (const r of ['mean', 'sum', 'perSample']) assert.ok(ops.has(`${l}/${r}`), `${l}/${r}`);
  });

  test('mse by hand, and sqErrPerSample gives one value per row', () => {
    const p = ak.tensor([[1, 2], [3, 5]]);
    const t = ak.tensor([[0, 2], [1, 1]]);
    assert.equal(mse(p, t).item(), (1 + 0 + 4 + 16) / 4);
    assert.deepEqual([...sqErrPerSample(p, t).data], [1, 20]);
    assert.deepEqual([...sqErrPerSample(ak.reshape(p, [2, 1, 2]), ak.reshape(t, [2, 1, 2])).shape], [2]);
  });

  test('bceWithLogits stays finite and exact for huge logits, with the right gradient at 0', () => {
    const z = ak.tensor([-1000, 0, 1000], [3], 'float64');
    const t = ak.tensor([1, 0.25, 0], [3], 'float64');
    z.requiresGrad = true;
    const loss = bceWithLogits(z, t, { reduction: 'sum' });
    assert.equal(loss.item(), 1000 + Math.log(2) + 1000);
    const g = ak.backward(loss).get(z)!;
    assert.deepEqual([...g.data], [-1, 0.25, 1]);
  });

  test('bce at probabilities of exactly 0 and 1 is 100 per wrong element with finite gradients', () => {
    const p = ak.tensor([0, 1, 0, 1], [4], 'float64');
    const t = ak.tensor([1, 0, 0, 1], [4], 'float64');
    p.requiresGrad = true;
    const loss = bce(p, t, { reduction: 'sum' });
    assert.equal(loss.item(), 200);
    assert.ok([...ak.backward(loss).get(p)!.data].every(Number.isFinite));
  });

  test('losses pass a gradient check', () => {
    const rng = new ak.Rng(3);
    const x = ak.randomUniform([3, 4], rng, 0.1, 0.9, 'float64');
    const y = ak.randomUniform([3, 4], rng, 0, 1, 'float64');
    for (const [name, f] of Object.entries(LOSSES)) {
      const res = ak.gradCheck((a, b) => f(a!, b!, { reduction: 'perSample' }), [x, name === 'l1' ? ak.add(y, 0.05) : y]);
      assert.ok(res.ok, `${name}: ${res.report}`);
    }
  });

  test('mismatched shapes, dtypes and reductions are refused with a clear message', () => {
    assert.throws(() => mse(ak.zeros([2, 3]), ak.zeros([3, 2])), /mse: pred \[2, 3\] and target \[3, 2\] must have the same shape/);
    assert.throws(() => bce(ak.zeros([2]), ak.zeros([2], 'float64')), /bce: prob is float32 but target is float64/);
    assert.throws(() => l1(ak.zeros([2]), ak.zeros([2]), { reduction: 'avg' as Reduction }), /l1: reduction must be 'mean', 'sum' or 'perSample'/);
    assert.throws(() => mse(ak.scalar(1), ak.scalar(2), { reduction: 'perSample' }), /needs inputs with a batch axis/);
  });
});

describe('softmaxCrossEntropy', () => {
  // Goldens from PyTorch 1.13 in float64 (rows: ordinary, a tie, saturated logits ±100, a right guess):
  //   z = [[2,-1,.5],[0,0,0],[100,-100,3],[-3,4,1]]; y = [0,2,1,1]; F.cross_entropy(z, y) and z.grad
  const z = [[2, -1, 0.5], [0, 0, 0], [100, -100, 3], [-3, 4, 1]];
  const y = [0, 2, 1, 1];
  const target = (): Tensor => ak.tensor(y.flatMap((c) => [0, 1, 2].map((j) => (j === c ? 1 : 0))), [4, 3], 'float64');
  const perRow = [0.24131129665715703, 1.0986122886681098, 200.0, 0.049455609695645726];
  const grad = [-0.05360074135268103, 0.009778143317671862, 0.04382259803500917, 0.08333333333333333, 0.08333333333333333, -0.16666666666666669, 0.25, -0.25, 1.8679930843357477e-43, 0.00021697032372240127, -0.012063148611057922, 0.011846178287335545];

  test('values and gradient match PyTorch, saturated logits included', () => {
    ak.tidy(() => {
      const logits = ak.tensor(z.flat(), [4, 3], 'float64');
      logits.requiresGrad = true;
      assertClose(softmaxCrossEntropy(logits, target(), { reduction: 'perSample' }).data, perRow, 1e-12, 1e-12, 'per row');
      const loss = softmaxCrossEntropy(logits, target());
      assert.ok(Math.abs(loss.item() - 50.34734479875523) < 1e-12);
      assertClose(ak.backward(loss).get(logits)!.data, grad, 1e-10, 1e-15, 'gradient');
    });
  });

  test('the gradient agrees with central differences, and shapes are checked', () => {
    const logits = ak.tensor([0.3, -1.2, 2.0, 0.1, 0.5, -0.4], [2, 3], 'float64');
    const soft = ak.tensor([0.2, 0.5, 0.3, 1, 0, 0], [2, 3], 'float64');
    const r = ak.gradCheck((l) => softmaxCrossEntropy(l, soft, { reduction: 'perSample' }), [logits]);
    assert.ok(r.ok, JSON.stringify(r));
    assert.throws(() => softmaxCrossEntropy(ak.zeros([2, 3]), ak.zeros([2, 4])), /softmaxCrossEntropy: logits \[2, 3\] and target \[2, 4\] must have the same shape/);
    assert.throws(() => softmaxCrossEntropy(ak.zeros([3]), ak.zeros([3])), /logits must be \(batch, classes\)/);
  });
});
