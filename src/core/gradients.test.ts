// Every gradient rule in gradients.ts, and every derived op, checked against float64 central differences.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ak from '../index.js';
import type { Tensor } from './index.js';

await ak.setBackend('reference');

let seed = 1;
/** Uniform float64 values in [lo, hi). */
function rand(shape: number[], lo = -2, hi = 2): Tensor {
  return ak.randomUniform(shape, new ak.Rng(seed++), lo, hi, 'float64');
}

/** Values with lo ≤ |x| < hi and random sign: away from the kink at 0. */
function awayFromZero(shape: number[], lo = 0.1, hi = 2): Tensor {
  const t = rand(shape, lo, hi);
  const rng = new ak.Rng(seed++);
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (rng.uniform() < 0.5) d[i] = -d[i]!;
  return t;
}

/** Nudge `a` so no element lies within `gap` of the value of `b` it meets under broadcasting. */
function separate(a: Tensor, b: Tensor, gap = 0.1): Tensor {
  const bb = ak.broadcastTo(b, ak.broadcastShapes(a.shape, b.shape)).data;
  const d = a.data;
  if (bb.length !== d.length) throw new Error('separate: b must broadcast to a');
  for (let i = 0; i < d.length; i++) if (Math.abs(d[i]! - bb[i]!) < gap) d[i] = bb[i]! + 2 * gap;
  return a;
}

function check(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: ak.GradCheckOptions = {}): void {
  const res = ak.gradCheck(f, inputs, opts);
  assert.ok(res.ok, res.report);
}

describe('binary primitives (with broadcasting)', () => {
  test('Add', () => check(ak.add, [rand([3, 4]), rand([4])]));
  test('Add (2,1,3)+(4,1)', () => check(ak.add, [rand([2, 1, 3]), rand([4, 1])]));
  test('Sub', () => check(ak.sub, [rand([3, 1]), rand([1, 4])]));
  test('Mul', () => check(ak.mul, [rand([2, 3, 4]), rand([3, 1])]));
  test('Mul by a scalar tensor', () => check(ak.mul, [rand([3, 4]), rand([])]));
  test('Div', () => check(ak.div, [rand([3, 4]), awayFromZero([4], 0.5, 2)]));
  test('Pow', () => check(ak.pow, [rand([3, 4], 0.5, 2), rand([1, 4], -1.5, 2.5)]));
  test('Pow with a constant exponent', () => check((a) => ak.pow(a, 3), [rand([5])]));
  test('Maximum', () => {
    const b = rand([4]);
    check(ak.maximum, [separate(rand([3, 4]), b), b]);
  });
  test('Minimum', () => {
    const b = rand([3, 1]);
    check(ak.minimum, [separate(rand([3, 4]), b), b]);
  });
  test('Where (cond broadcast over rows, b broadcast over columns)', () => {
    const cond = ak.tensor([1, 0, 1], [3, 1], 'float64');
    check((a, b) => ak.where(cond, a!, b!), [rand([3, 4]), rand([4])]);
  });
});

describe('unary primitives', () => {
  test('Neg', () => check(ak.neg, [rand([2, 3])]));
  test('Abs', () => check(ak.abs, [awayFromZero([2, 3])]));
  test('Exp', () => check(ak.exp, [rand([2, 3])]));
  test('Log', () => check(ak.log, [rand([2, 3], 0.2, 3)]));
  test('Log1p', () => check(ak.log1p, [rand([2, 3], -0.5, 3)]));
  test('Sqrt', () => check(ak.sqrt, [rand([2, 3], 0.2, 3)]));
  test('Tanh', () => check(ak.tanh, [rand([2, 3], -3, 3)]));
  test('Sigmoid', () => check(ak.sigmoid, [rand([2, 3], -6, 6)]));
  test('Relu', () => check(ak.relu, [awayFromZero([2, 3])]));
  test('Erf', () => check(ak.erf, [rand([3, 4], -3, 3)]));
  test('Cast float64 → float32 → float64 (float32 in the middle needs a coarse step)', () => {
    const f = (x: Tensor): Tensor => ak.cast(ak.mul(ak.cast(x, 'float32'), 3), 'float64');
    check(f, [rand([4])], { eps: 1e-2, atol: 1e-4, rtol: 1e-4 });
  });
});

describe('reductions and layout', () => {
  test('Sum over all axes', () => check((x) => ak.sum(x), [rand([2, 3])]));
  test('Sum over axis 1 keeping dims', () => check((x) => ak.sum(x, 1, true), [rand([2, 3, 4])]));
  test('Sum over axes [0, 2]', () => check((x) => ak.sum(x, [0, 2]), [rand([2, 3, 4])]));
  test('Max over axis 1 (distinct values)', () => check((x) => ak.max(x, 1), [rand([3, 5])]));
  test('Max over all axes keeping dims', () => check((x) => ak.max(x, undefined, true), [rand([2, 3])]));
  test('Transpose [2, 0, 1]', () => check((x) => ak.transpose(x, [2, 0, 1]), [rand([2, 3, 4])]));
  test('BroadcastTo (3, 1) → (2, 3, 4)', () => check((x) => ak.broadcastTo(x, [2, 3, 4]), [rand([3, 1])]));
  test('Reshape (2, 6) → (3, -1)', () => check((x) => ak.mul(ak.reshape(x, [3, -1]), ak.reshape(x, [3, 4])), [rand([2, 6])]));
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    test(`MatMul transposeA=${ta} transposeB=${tb}`, () => {
      const a = rand(ta ? [4, 3] : [3, 4]);
      const b = rand(tb ? [2, 4] : [4, 2]);
      check((x, y) => ak.matmul(x!, y!, { transposeA: ta, transposeB: tb }), [a, b]);
    });
  }
});

describe('derived ops', () => {
  test('softplus, including large |x|', () => check(ak.softplus, [ak.tensor([-30, -3, -0.5, 0.4, 2, 25], [6], 'float64')]));
  test('softplus and elu are smooth at 0, so their gradient there must be exact', () => {
    const x = ak.tensor([0, -0.7, 0.3], [3], 'float64');
    check(ak.softplus, [x]);
    check((t) => ak.elu(t, 1), [x]);
  });
  test('leakyRelu', () => check((x) => ak.leakyRelu(x, 0.1), [awayFromZero([3, 4])]));
  test('elu', () => check((x) => ak.elu(x, 0.7), [awayFromZero([3, 4])]));
  test('gelu', () => check(ak.gelu, [rand([3, 4], -4, 4)]));
  test('clip (away from the bounds)', () => {
    const x = ak.tensor([-2, -0.9, -0.3, 0.2, 0.45, 0.8, 1.7], [7], 'float64');
    check((t) => ak.clip(t, -0.5, 0.5), [x]);
  });
  test('mean over axis 0 and over all', () => check((x) => ak.add(ak.mean(x, 0), ak.mean(x)), [rand([3, 4])]));
  test('sumTo (2, 3, 4) → (3, 1)', () => check((x) => ak.sumTo(x, [3, 1]), [rand([2, 3, 4])]));
  test('a small network: tanh(x·Wᵀ + b), with x used twice', () => {
    const f = (x: Tensor, w: Tensor, b: Tensor): Tensor => ak.mul(ak.tanh(ak.add(ak.matmul(x, w, { transposeB: true }), b)), ak.sum(ak.mul(x, x)));
    check(f as (...xs: Tensor[]) => Tensor, [rand([4, 3]), rand([2, 3]), rand([2])]);
  });
});

describe('the checker itself', () => {
  test('a step of 1e-14 drowns the difference in rounding and fails', () => {
    const res = ak.gradCheck((x) => ak.mul(ak.exp(x), 100), [rand([6], 1, 2)], { eps: 1e-14 });
    assert.equal(res.ok, false, res.report);
    assert.match(res.report, /FAILED/);
  });
  test('a step of 1 on exp is too coarse and fails', () => {
    const res = ak.gradCheck(ak.exp, [rand([4])], { eps: 1 });
    assert.equal(res.ok, false, res.report);
    assert.ok(res.worstRatio > 1);
  });
  test('a wrong gradient rule is caught and the report names the element', () => {
    const badExp = (x: Tensor): Tensor => {
      const out = ak.noGrad(() => ak.exp(x));
      ak.attachGrad(out, 'BadExp', [x], (dy) => [ak.mul(dy, ak.mul(out, 1.01))]);
      return out;
    };
    const res = ak.gradCheck(badExp, [rand([3])]);
    assert.equal(res.ok, false);
    assert.match(res.report, /input 0 \[3\] element \d: autograd/);
  });
  test('float32 inputs are refused', () => {
    assert.throws(() => ak.gradCheck(ak.exp, [ak.ones([2])]), /input 0 \[2\] is float32; gradient checks need float64/);
  });
  test('leaves no tensors behind', () => {
    const x = rand([3, 2]);
    const before = ak.numTensors();
    ak.gradCheck((t) => ak.sum(ak.tanh(t), 0), [x]);
    assert.equal(ak.numTensors(), before);
  });
});
