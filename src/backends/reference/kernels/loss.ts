/** Fused mean losses and their gradients, the oracle for faster backends. Sums in double precision. */
import { registerKernel, type KernelFn } from '../../../core/index.js';

/** softplus(z) − t·z = max(z, 0) − z·t + log1p(e^−|z|), finite for every z. */
export const bceWithLogitsLoss: KernelFn<'BceWithLogitsLoss'> = ([z, t], _, ctx) => {
  const zd = z.data;
  const td = t.data;
  let acc = 0;
  for (let i = 0; i < zd.length; i++) {
    const v = zd[i]!;
    acc += Math.max(v, 0) - v * td[i]! + Math.log1p(Math.exp(-Math.abs(v)));
  }
  const out = ctx.alloc(z.dtype, 1);
  out[0] = acc / zd.length;
  return { shape: [], dtype: z.dtype, data: out };
};

export const bceWithLogitsLossGrad: KernelFn<'BceWithLogitsLossGrad'> = ([dy, z, t], _, ctx) => {
  const scale = dy.data[0]! / z.data.length;
  const out = ctx.alloc(z.dtype, z.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = z.data[i]!;
    const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    out[i] = scale * (s - t.data[i]!);
  }
  return { shape: z.shape, dtype: z.dtype, data: out };
};

export const mseLoss: KernelFn<'MseLoss'> = ([p, t], _, ctx) => {
  let acc = 0;
  for (let i = 0; i < p.data.length; i++) {
    const d = p.data[i]! - t.data[i]!;
    acc += d * d;
  }
  const out = ctx.alloc(p.dtype, 1);
  out[0] = acc / p.data.length;
  return { shape: [], dtype: p.dtype, data: out };
};

export const mseLossGrad: KernelFn<'MseLossGrad'> = ([dy, p, t], _, ctx) => {
  const scale = (2 * dy.data[0]!) / p.data.length;
  const out = ctx.alloc(p.dtype, p.data.length);
  for (let i = 0; i < out.length; i++) out[i] = scale * (p.data[i]! - t.data[i]!);
  return { shape: p.shape, dtype: p.dtype, data: out };
};

const ONE = { shape: [], dtype: 'float64', data: Float64Array.of(1) } as const;

/** The oracle of the one-pass kernels: the loss, and the gradient kernel with dy = 1. */
export const bceWithLogitsLossAndGrad: KernelFn<'BceWithLogitsLossAndGrad'> = ([z, t], _, ctx) => [bceWithLogitsLoss([z, t], {}, ctx), bceWithLogitsLossGrad([ONE, z, t], {}, ctx)];
export const mseLossAndGrad: KernelFn<'MseLossAndGrad'> = ([p, t], _, ctx) => [mseLoss([p, t], {}, ctx), mseLossGrad([ONE, p, t], {}, ctx)];

export function registerLossKernels(backend: string): void {
  registerKernel(backend, 'BceWithLogitsLossAndGrad', bceWithLogitsLossAndGrad);
  registerKernel(backend, 'MseLossAndGrad', mseLossAndGrad);
  registerKernel(backend, 'BceWithLogitsLoss', bceWithLogitsLoss);
  registerKernel(backend, 'BceWithLogitsLossGrad', bceWithLogitsLossGrad);
  registerKernel(backend, 'MseLoss', mseLoss);
  registerKernel(backend, 'MseLossGrad', mseLossGrad);
}
