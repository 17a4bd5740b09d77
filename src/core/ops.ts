/**
 * Public ops. Primitives dispatch one kernel; derived ops (softplus, gelu, mean, …) are written
 * from primitives so every backend gets them and their gradients for free.
 */
import type { DType, TypedArray } from './dtype.js';
import { empty, getBackend, runKernel, viewAs, wrap } from './engine.js';
import type { Activation, Window2D } from './kernels.js';
import type { Rng } from './rng.js';
import { broadcastedAxes, fmtShape, normalizeAxes, shapesEqual, sizeOf, type Shape } from './shape.js';
import type { Tensor } from './tensor.js';
import { col2imShape, im2colShape } from './window.js';

export type TensorOrNumber = Tensor | number;

// ---- creation --------------------------------------------------------------------------------

/** A tensor from values (flat or nested arrays, or a typed array); shape defaults to the nesting. */
export function tensor(values: ArrayLike<number> | readonly unknown[], shape?: Shape, dtype?: DType): Tensor {
  const inferredShape: number[] = [];
  const flat: number[] | ArrayLike<number> = isFlat(values) ? values : flatten(values, inferredShape);
  const dt: DType = dtype ?? (values instanceof Float64Array ? 'float64' : 'float32');
  const shp = shape ?? (isFlat(values) ? [values.length] : inferredShape);
  if (sizeOf(shp) !== flat.length) throw new Error(`tensor: ${flat.length} values do not fill shape ${fmtShape(shp)}`);
  const t = empty(shp, dt);
  t.data.set(flat);
  return t;
}

function isFlat(v: ArrayLike<number> | readonly unknown[]): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) || (v as readonly unknown[]).every((x) => typeof x === 'number');
}

function flatten(v: readonly unknown[], shape: number[]): number[] {
  const out: number[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (Array.isArray(x)) {
      if (shape.length === depth) shape.push(x.length);
      else if (shape[depth] !== x.length) throw new Error('tensor: ragged nested array');
      for (const e of x) walk(e, depth + 1);
    } else if (typeof x === 'number') out.push(x);
    else throw new Error(`tensor: expected numbers, found ${typeof x}`);
  };
  walk(v, 0);
  return out;
}

export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  const t = empty(shape, dtype);
  t.data.fill(value);
  return t;
}

export const zeros = (shape: Shape, dtype: DType = 'float32'): Tensor => full(shape, 0, dtype);
export const ones = (shape: Shape, dtype: DType = 'float32'): Tensor => full(shape, 1, dtype);
export const scalar = (value: number, dtype: DType = 'float32'): Tensor => full([], value, dtype);
export const zerosLike = (x: Tensor): Tensor => zeros(x.shape, x.dtype);
export const onesLike = (x: Tensor): Tensor => ones(x.shape, x.dtype);

export function randomUniform(shape: Shape, rng: Rng, low = 0, high = 1, dtype: DType = 'float32'): Tensor {
  const t = empty(shape, dtype);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * rng.uniform();
  return t;
}

export function randomNormal(shape: Shape, rng: Rng, mean = 0, std = 1, dtype: DType = 'float32'): Tensor {
  const t = empty(shape, dtype);
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * rng.normal();
  return t;
}

/** Copy a tensor's values into a fresh tensor (no gradient link). */
export function clone(x: Tensor): Tensor {
  const be = getBackend();
  const data: TypedArray = be.alloc(x.dtype, x.size);
  data.set(x.data);
  return wrap(data, x.shape, x.dtype, be);
}

function lift(x: TensorOrNumber, like: Tensor): Tensor {
  return typeof x === 'number' ? scalar(x, like.dtype) : x;
}

function binary(name: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Maximum' | 'Minimum' | 'Greater' | 'GreaterEqual' | 'Equal', a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof a === 'number' && typeof b === 'number') throw new Error(`${name}: at least one operand must be a tensor`);
  const ta = typeof a === 'number' ? lift(a, b as Tensor) : a;
  const tb = lift(b, ta);
  if (ta.dtype !== tb.dtype) throw new Error(`${name}: dtype mismatch ${ta.dtype} vs ${tb.dtype}`);
  return runKernel(name, [ta, tb], {});
}

// ---- primitives -------------------------------------------------------------------------------

export const add = (a: TensorOrNumber, b: TensorOrNumber): Tensor => binary('Add', a, b);
export const sub = (a: TensorOrNumber, b: TensorOrNumber): Tensor => binary('Sub', a, b);
export const mul = (a: TensorOrNumber, b: TensorOrNumber): Tensor => binary('Mul', a, b);
export const div = (a: TensorOrNumber, b: TensorOrNumber): Tensor => binary('Div', a, b);
export const pow = (a: TensorOrNumber, b: TensorOrNumber): Tensor => binary('Pow', a, b);
export const maximum = (a: TensorOrNumber, b: TensorOrNumber): Tensor => binary('Maximum', a, b);
export const minimum = (a: TensorOrNumber, b: TensorOrNumber): Tensor => binary('Minimum', a, b);
export const greater = (a: TensorOrNumber, b: TensorOrNumber): Tensor => binary('Greater', a, b);
export const greaterEqual = (a: TensorOrNumber, b: TensorOrNumber): Tensor => binary('GreaterEqual', a, b);
export const equal = (a: TensorOrNumber, b: TensorOrNumber): Tensor => binary('Equal', a, b);

export function where(cond: Tensor, a: TensorOrNumber, b: TensorOrNumber): Tensor {
  return runKernel('Where', [cond, lift(a, cond), lift(b, cond)], {});
}

export const neg = (x: Tensor): Tensor => runKernel('Neg', [x], {});
export const abs = (x: Tensor): Tensor => runKernel('Abs', [x], {});
export const sign = (x: Tensor): Tensor => runKernel('Sign', [x], {});
export const exp = (x: Tensor): Tensor => runKernel('Exp', [x], {});
export const log = (x: Tensor): Tensor => runKernel('Log', [x], {});
export const log1p = (x: Tensor): Tensor => runKernel('Log1p', [x], {});
export const sqrt = (x: Tensor): Tensor => runKernel('Sqrt', [x], {});
export const tanh = (x: Tensor): Tensor => runKernel('Tanh', [x], {});
export const sigmoid = (x: Tensor): Tensor => runKernel('Sigmoid', [x], {});
export const relu = (x: Tensor): Tensor => runKernel('Relu', [x], {});
export const erf = (x: Tensor): Tensor => runKernel('Erf', [x], {});

export function cast(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : runKernel('Cast', [x], { dtype });
}

export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return runKernel('Sum', [x], { axes: normalizeAxes(axes, x.rank), keepDims });
}

export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return runKernel('Max', [x], { axes: normalizeAxes(axes, x.rank), keepDims });
}

export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? Array.from({ length: x.rank }, (_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new Error(`transpose: ${JSON.stringify(p)} is not a permutation of ${x.rank} axes`);
  }
  return runKernel('Transpose', [x], { perm: p });
}

export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  return shapesEqual(x.shape, shape) ? x : runKernel('BroadcastTo', [x], { shape });
}

export interface MatMulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}

/** op(a)·op(b) for 2-D tensors. */
export function matmul(a: Tensor, b: Tensor, opts: MatMulOptions = {}): Tensor {
  const ta = opts.transposeA ?? false;
  const tb = opts.transposeB ?? false;
  if (a.rank !== 2 || b.rank !== 2) throw new Error(`matmul needs 2-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const k1 = ta ? a.shape[0] : a.shape[1];
  const k2 = tb ? b.shape[1] : b.shape[0];
  if (k1 !== k2) throw new Error(`matmul: inner dimensions differ: ${fmtShape(a.shape)}${ta ? 'ᵀ' : ''} · ${fmtShape(b.shape)}${tb ? 'ᵀ' : ''}`);
  if (a.dtype !== b.dtype) throw new Error(`matmul: dtype mismatch ${a.dtype} vs ${b.dtype}`);
  return runKernel('MatMul', [a, b], { transposeA: ta, transposeB: tb });
}

/** x (B, H, W, C) → (B·Ho·Wo, kh·kw·C) rows of window contents; padding reads `padValue`. */
export function im2col(x: Tensor, window: Window2D, padValue = 0): Tensor {
  im2colShape(window, x.shape);
  return runKernel('Im2Col', [x], { window, padValue });
}

/** The adjoint of im2col: cols (B·Ho·Wo, kh·kw·C) summed back into (B, H, W, C) with [H, W] = size. */
export function col2im(cols: Tensor, window: Window2D, size: readonly [number, number]): Tensor {
  col2imShape(window, cols.shape, size);
  return runKernel('Col2Im', [cols], { window, size });
}

/** Same values, new shape; one dimension may be -1. Shares storage. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  if (sizeOf(resolved) !== x.size || !resolved.every(Number.isInteger)) {
    throw new Error(`reshape: cannot view ${fmtShape(x.shape)} (${x.size} values) as ${fmtShape(shape)}`);
  }
  return viewAs(x, resolved);
}

// ---- derived ops --------------------------------------------------------------------------------

export const square = (x: Tensor): Tensor => mul(x, x);
export const reciprocal = (x: Tensor): Tensor => div(1, x);

export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normalizeAxes(axes, x.rank);
  const n = ax.reduce((p, a) => p * x.shape[a]!, 1);
  return div(sum(x, ax, keepDims), n);
}

/** Sum `x` down to `shape` over the axes broadcasting added (gradient of broadcasting). */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const axes = broadcastedAxes(shape, x.shape);
  const s = axes.length ? sum(x, axes, true) : x;
  return reshape(s, shape);
}

/** log(1 + eˣ) computed without overflow: max(x, 0) + log1p(e^-|x|). */
export function softplus(x: Tensor): Tensor {
  // maximum (not relu) so the tie at 0 passes half the gradient: d/dx = 1/2 there, as it should.
  return add(maximum(x, 0), log1p(exp(neg(abs(x)))));
}

export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return where(greater(x, 0), x, mul(x, slope));
}

export function elu(x: Tensor, alpha = 1): Tensor {
  // exp sees min(x, 0) through where (not minimum) so x = 0 takes the full gradient α, as PyTorch does.
  const pos = greater(x, 0);
  return where(pos, x, mul(sub(exp(where(pos, 0, x)), 1), alpha));
}

/** GELU with the exact Gaussian CDF: x·Φ(x) = x·(1 + erf(x/√2))/2 (Hendrycks & Gimpel 2016). */
export function gelu(x: Tensor): Tensor {
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

export function clip(x: Tensor, lo: number, hi: number): Tensor {
  return minimum(maximum(x, lo), hi);
}

export type ActivationName = 'linear' | 'relu' | 'leakyRelu' | 'elu' | 'gelu' | 'sigmoid' | 'tanh' | 'softplus';
export const ACTIVATIONS: readonly ActivationName[] = ['linear', 'relu', 'leakyRelu', 'elu', 'gelu', 'sigmoid', 'tanh', 'softplus'];

export function activate(x: Tensor, act: ActivationName): Tensor {
  switch (act) {
    case 'linear': return x;
    case 'relu': return relu(x);
    case 'leakyRelu': return leakyRelu(x);
    case 'elu': return elu(x);
    case 'gelu': return gelu(x);
    case 'sigmoid': return sigmoid(x);
    case 'tanh': return tanh(x);
    case 'softplus': return softplus(x);
  }
}

/** Activations a FusedDense kernel can apply itself. */
export function isFusable(act: ActivationName): act is Activation {
  return act === 'linear' || act === 'relu' || act === 'sigmoid' || act === 'tanh';
}

