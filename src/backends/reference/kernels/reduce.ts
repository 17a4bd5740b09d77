/** Sum and Max over a set of axes: each input element is folded into the output slot it maps to. */
import { reducedShape, registerKernel, sizeOf, stridesOf, type KernelFn, type TensorInfo, type KernelContext } from '../../../core/index.js';
import { forEachOffset } from '../indexing.js';

function reduce(x: TensorInfo, axes: readonly number[], keepDims: boolean, init: number, fold: (acc: number, v: number) => number, ctx: KernelContext): TensorInfo {
  const shape = reducedShape(x.shape, axes, keepDims);
  const kept = reducedShape(x.shape, axes, true);
  const ks = stridesOf(kept);
  const outStrides = x.shape.map((_, i) => (axes.includes(i) ? 0 : ks[i]!));
  const acc = new Float64Array(sizeOf(shape)).fill(init);
  const d = x.data;
  forEachOffset(x.shape, [outStrides], (i, o) => (acc[o[0]!] = fold(acc[o[0]!]!, d[i]!)));
  const out = ctx.alloc(x.dtype, acc.length);
  out.set(acc);
  return { shape, dtype: x.dtype, data: out };
}

export const sum: KernelFn<'Sum'> = ([x], { axes, keepDims }, ctx) => reduce(x, axes, keepDims, 0, (a, v) => a + v, ctx);
export const max: KernelFn<'Max'> = ([x], { axes, keepDims }, ctx) =>
  reduce(x, axes, keepDims, -Infinity, (a, v) => (Number.isNaN(a) ? a : v > a || Number.isNaN(v) ? v : a), ctx);

export function registerReductions(backend: string): void {
  registerKernel(backend, 'Sum', sum);
  registerKernel(backend, 'Max', max);
}
