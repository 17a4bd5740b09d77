/** Sum and Max over sorted axes, and Transpose, through the wasm strided loops. */
import { reducedShape, registerKernel, sizeOf, stridesOf, type KernelContext, type KernelFn, type TensorInfo } from '../../../core/index.js';
import { requireFloat32, stridedLayout, wasmOf } from './util.js';

function reduceKernel(name: 'Sum' | 'Max') {
  const isMax = name === 'Max' ? 1 : 0;
  return ([x]: [TensorInfo], { axes, keepDims }: { axes: readonly number[]; keepDims: boolean }, ctx: KernelContext): TensorInfo => {
    const be = wasmOf(name, ctx);
    requireFloat32(name, [x]);
    for (const a of axes) if (!Number.isInteger(a) || a < 0 || a >= x.shape.length) throw new Error(`${name}: axis ${a} is out of range for rank ${x.shape.length}`);
    const kept = reducedShape(x.shape, axes, true);
    const shape = keepDims ? kept : reducedShape(x.shape, axes, false);
    // The layout walks x; its one operand is the output, with stride 0 on reduced axes.
    const ks = stridesOf(kept);
    const layout = stridedLayout(x.shape, [x.shape.map((_, i) => (axes.includes(i) ? 0 : ks[i]!))]);
    const xp = be.ptr(name, x);
    const size = sizeOf(kept);
    const out = be.alloc('float32', size);
    const outp = out.byteOffset;
    if (size > 0) {
      const acc = isMax ? 0 : be.heap.alloc(size * 8);
      if (x.data.length > 0) be.kernels.reduce(isMax, xp, outp, size, acc, be.layout(layout));
      else be.current(out).fill(isMax ? -Infinity : 0);
      if (!isMax) be.heap.release(acc, size * 8);
    }
    return { shape, dtype: 'float32', data: be.current(out) };
  };
}

const transposeKernel: KernelFn<'Transpose'> = ([x], { perm }, ctx) => {
  const be = wasmOf('Transpose', ctx);
  requireFloat32('Transpose', [x]);
  const rank = x.shape.length;
  if (perm.length !== rank || [...perm].sort((p, q) => p - q).some((v, i) => v !== i)) throw new Error(`Transpose: ${JSON.stringify(perm)} is not a permutation of ${rank} axes`);
  const shape = perm.map((p) => x.shape[p]!);
  const s = stridesOf(x.shape);
  const xp = be.ptr('Transpose', x);
  const out = be.alloc('float32', x.data.length);
  if (out.length > 0) be.kernels.stridedCopy(xp, out.byteOffset, be.layout(stridedLayout(shape, [perm.map((p) => s[p]!)])));
  return { shape, dtype: 'float32', data: out };
};

export function registerReduceLayout(backend: string): void {
  registerKernel(backend, 'Sum', reduceKernel('Sum'));
  registerKernel(backend, 'Max', reduceKernel('Max'));
  registerKernel(backend, 'Transpose', transposeKernel);
}
