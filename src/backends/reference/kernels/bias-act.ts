/** BiasAct and BiasActGrad as plain loops: the oracle for the fused kernels. act' is read from y. */
import { fmtShape, registerKernel, type KernelFn, type TensorInfo } from '../../../core/index.js';
import { ACT, SLOPE } from './fused-dense.js';

/** C, the length of the last axis, after checking that b (or a gradient's partner) matches it. */
function channels(kernel: string, x: TensorInfo, other: TensorInfo, otherIsBias: boolean): number {
  const c = x.shape.length > 0 ? x.shape[x.shape.length - 1]! : 0;
  const ok = x.shape.length > 0 && (otherIsBias ? other.shape.length === 1 && other.shape[0] === c : other.data.length === x.data.length);
  if (!ok) throw new Error(`${kernel}: expected ${otherIsBias ? 'x (…, C) and b (C)' : 'dy and y of one shape'}; got ${fmtShape(x.shape)} and ${fmtShape(other.shape)}`);
  return c;
}

/** act(x + b), b along the last axis. */
export const biasAct: KernelFn<'BiasAct'> = ([x, b], { activation }, ctx) => {
  const c = channels('BiasAct', x, b, true);
  const f = ACT[activation];
  const y = ctx.alloc(x.dtype, x.data.length);
  for (let i = 0; i < y.length; i++) y[i] = f(x.data[i]! + b.data[i % c]!);
  return { shape: x.shape, dtype: x.dtype, data: y };
};

/** dx = dy ⊙ act'(y); db = Σ dx over every axis but the last, summed in double. */
export const biasActGrad: KernelFn<'BiasActGrad'> = ([dy, y], { activation }, ctx) => {
  const c = channels('BiasActGrad', dy, y, false);
  const slope = SLOPE[activation];
  const dx = ctx.alloc(dy.dtype, dy.data.length);
  const sums = new Float64Array(c);
  for (let i = 0; i < dx.length; i++) {
    dx[i] = dy.data[i]! * slope(y.data[i]!);
    sums[i % c] = sums[i % c]! + dx[i]!;
  }
  const db = ctx.alloc(dy.dtype, c);
  db.set(sums);
  return [{ shape: dy.shape, dtype: dy.dtype, data: dx }, { shape: [c], dtype: dy.dtype, data: db }];
};

export function registerBiasAct(backend: string): void {
  registerKernel(backend, 'BiasAct', biasAct);
  registerKernel(backend, 'BiasActGrad', biasActGrad);
}
