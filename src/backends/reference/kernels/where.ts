import { broadcastShapes, registerKernel, type KernelFn } from '../../../core/index.js';
import { broadcastStrides, forEachOffset } from '../indexing.js';

export const where: KernelFn<'Where'> = ([c, a, b], _, ctx) => {
  const shape = broadcastShapes(broadcastShapes(c.shape, a.shape), b.shape);
  const out = ctx.alloc(a.dtype, shape.reduce((p, d) => p * d, 1));
  const strides = [c, a, b].map((t) => broadcastStrides(t.shape, shape));
  const [cd, ad, bd] = [c.data, a.data, b.data];
  forEachOffset(shape, strides, (i, o) => (out[i] = cd[o[0]!] !== 0 ? ad[o[1]!]! : bd[o[2]!]!));
  return { shape, dtype: a.dtype, data: out };
};

export const registerWhere = (backend: string): void => registerKernel(backend, 'Where', where);
