import { registerKernel, type KernelFn } from '../../../core/index.js';

export const cast: KernelFn<'Cast'> = ([x], { dtype }, ctx) => {
  const out = ctx.alloc(dtype, x.data.length);
  out.set(x.data);
  return { shape: x.shape, dtype, data: out };
};

export const registerCast = (backend: string): void => registerKernel(backend, 'Cast', cast);
