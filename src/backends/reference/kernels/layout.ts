/** Transpose and BroadcastTo: strided copies into a fresh row-major buffer. */
import { broadcastShapes, fmtShape, registerKernel, shapesEqual, sizeOf, stridesOf, type KernelFn } from '../../../core/index.js';
import { broadcastStrides, forEachOffset } from '../indexing.js';

export const transpose: KernelFn<'Transpose'> = ([x], { perm }, ctx) => {
  const shape = perm.map((p) => x.shape[p]!);
  const s = stridesOf(x.shape);
  const inStrides = perm.map((p) => s[p]!);
  const out = ctx.alloc(x.dtype, x.data.length);
  const d = x.data;
  forEachOffset(shape, [inStrides], (i, o) => (out[i] = d[o[0]!]!));
  return { shape, dtype: x.dtype, data: out };
};

export const broadcastTo: KernelFn<'BroadcastTo'> = ([x], { shape }, ctx) => {
  if (!shapesEqual(broadcastShapes(x.shape, shape), shape)) throw new Error(`BroadcastTo: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  const out = ctx.alloc(x.dtype, sizeOf(shape));
  const d = x.data;
  forEachOffset(shape, [broadcastStrides(x.shape, shape)], (i, o) => (out[i] = d[o[0]!]!));
  return { shape, dtype: x.dtype, data: out };
};

export function registerLayout(backend: string): void {
  registerKernel(backend, 'Transpose', transpose);
  registerKernel(backend, 'BroadcastTo', broadcastTo);
}
