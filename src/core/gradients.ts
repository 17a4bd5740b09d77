/**
 * One gradient rule per primitive kernel, written with ops, so backends never see gradients.
 * A rule gets dy (shaped like the output), the inputs, the output and the attributes, and returns
 * one gradient (or null for "not differentiable") per input. Rules run with recording off.
 */
import type { KernelAttrs, KernelName } from './kernels.js';
import * as ops from './ops.js';
import type { Tensor } from './tensor.js';

type Rule<K extends KernelName> = (dy: Tensor, inputs: readonly Tensor[], out: Tensor, attrs: KernelAttrs<K>) => (Tensor | null)[];
type Rules = { [K in KernelName]?: Rule<K> };

const { add, sub, mul, div, neg, sumTo, where, equal, greater } = ops;
const at = (xs: readonly Tensor[], i: number): Tensor => xs[i]!;

/** Ties of max/min share the gradient equally, as PyTorch does. */
function extremumGrad(dy: Tensor, a: Tensor, b: Tensor, win: Tensor): (Tensor | null)[] {
  const tie = mul(equal(a, b), 0.5);
  const wa = add(win, tie);
  const wb = sub(1, wa);
  return [sumTo(mul(dy, wa), a.shape), sumTo(mul(dy, wb), b.shape)];
}

export const GRAD_RULES: Rules = {
  Add: (dy, [a, b]) => [sumTo(dy, a!.shape), sumTo(dy, b!.shape)],
  Sub: (dy, [a, b]) => [sumTo(dy, a!.shape), sumTo(neg(dy), b!.shape)],
  Mul: (dy, [a, b]) => [sumTo(mul(dy, b!), a!.shape), sumTo(mul(dy, a!), b!.shape)],
  Div: (dy, [a, b], out) => [sumTo(div(dy, b!), a!.shape), sumTo(neg(div(mul(dy, out), b!)), b!.shape)],
  Pow: (dy, [a, b], out) => {
    const da = mul(dy, mul(b!, ops.pow(a!, sub(b!, 1))));
    const safeLog = ops.log(where(greater(a!, 0), a!, 1));
    const db = mul(dy, where(greater(a!, 0), mul(out, safeLog), 0));
    return [sumTo(da, a!.shape), sumTo(db, b!.shape)];
  },
  Maximum: (dy, [a, b]) => extremumGrad(dy, a!, b!, greater(a!, b!)),
  Minimum: (dy, [a, b]) => extremumGrad(dy, a!, b!, greater(b!, a!)),
  Greater: () => [null, null],
  GreaterEqual: () => [null, null],
  Equal: () => [null, null],
  Where: (dy, [c, a, b]) => [null, sumTo(where(c!, dy, 0), a!.shape), sumTo(where(c!, 0, dy), b!.shape)],
  Neg: (dy) => [neg(dy)],
  Abs: (dy, [x]) => [mul(dy, ops.sign(x!))],
  Sign: () => [null],
  Exp: (dy, _, out) => [mul(dy, out)],
  Log: (dy, [x]) => [div(dy, x!)],
  Log1p: (dy, [x]) => [div(dy, add(x!, 1))],
  Sqrt: (dy, _, out) => [div(dy, mul(out, 2))],
  Tanh: (dy, _, out) => [mul(dy, sub(1, mul(out, out)))],
  Sigmoid: (dy, _, out) => [mul(dy, mul(out, sub(1, out)))],
  Relu: (dy, [x]) => [mul(dy, greater(x!, 0))],
  // d/dx erf(x) = 2/√π · e^(−x²)
  Erf: (dy, [x]) => [mul(dy, mul(ops.exp(neg(mul(x!, x!))), 2 / Math.sqrt(Math.PI)))],
  Cast: (dy, [x]) => [ops.cast(dy, x!.dtype)],
  Sum: (dy, [x], _, { axes, keepDims }) => [ops.broadcastTo(keepDims ? dy : ops.reshape(dy, keptShape(x!.shape, axes)), x!.shape)],
  Max: (dy, [x], out, { axes, keepDims }) => {
    const shape = keptShape(x!.shape, axes);
    const o = keepDims ? out : ops.reshape(out, shape);
    const g = keepDims ? dy : ops.reshape(dy, shape);
    const mask = equal(x!, o);
    return [mul(mask, div(g, ops.sum(mask, axes, true)))];
  },
  Transpose: (dy, _, __, { perm }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [ops.transpose(dy, inv)];
  },
  BroadcastTo: (dy, [x]) => [sumTo(dy, x!.shape)],
  Im2Col: (dy, [x], _, { window }) => [ops.col2im(dy, window, [x!.shape[1]!, x!.shape[2]!])],
  Col2Im: (dy, _, __, { window }) => [ops.im2col(dy, window, 0)],
  MatMul: (dy, inputs, _, { transposeA: ta, transposeB: tb }) => {
    const a = at(inputs, 0);
    const b = at(inputs, 1);
    // C = op(A)·op(B): dA = dC·op(B)ᵀ (transposed back if A was), dB likewise.
    const da = ta ? ops.matmul(b, dy, { transposeA: tb, transposeB: true }) : ops.matmul(dy, b, { transposeB: !tb });
    const db = tb ? ops.matmul(dy, a, { transposeA: true, transposeB: ta }) : ops.matmul(a, dy, { transposeA: !ta });
    return [da, db];
  },
};

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}
