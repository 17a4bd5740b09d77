/** Fused mean losses (BCE with logits, MSE) and their gradients; sums accumulate in double. */
import { fmtShape, registerKernel, type KernelContext, type TensorInfo } from '../../../core/index.js';
import { requireFloat32, wasmOf } from './util.js';

const BCE = 0;
const MSE = 1;

function samePair(kernel: string, x: TensorInfo, t: TensorInfo): void {
  requireFloat32(kernel, [x, t]);
  if (x.data.length !== t.data.length) throw new Error(`${kernel}: input ${fmtShape(x.shape)} and target ${fmtShape(t.shape)} differ in size`);
}

function loss(kernel: 'BceWithLogitsLoss' | 'MseLoss', kind: number) {
  return ([x, t]: [TensorInfo, TensorInfo], _attrs: unknown, ctx: KernelContext): TensorInfo => {
    const be = wasmOf(kernel, ctx);
    samePair(kernel, x, t);
    const [xp, tp] = [be.ptr(kernel, x), be.ptr(kernel, t)];
    const out = be.alloc('float32', 1);
    be.kernels.meanLoss(kind, xp, tp, x.data.length, out.byteOffset, 0, 1);
    return { shape: [], dtype: 'float32', data: out };
  };
}

function lossGrad(kernel: 'BceWithLogitsLossGrad' | 'MseLossGrad', kind: number) {
  return ([dy, x, t]: [TensorInfo, TensorInfo, TensorInfo], _attrs: unknown, ctx: KernelContext): TensorInfo => {
    const be = wasmOf(kernel, ctx);
    samePair(kernel, x, t);
    requireFloat32(kernel, [dy]);
    const [xp, tp] = [be.ptr(kernel, x), be.ptr(kernel, t)];
    const scale = dy.data[0]!;
    const out = be.alloc('float32', x.data.length);
    be.kernels.meanLoss(kind, xp, tp, x.data.length, 0, out.byteOffset, scale);
    return { shape: x.shape, dtype: 'float32', data: out };
  };
}

function lossAndGrad(kernel: 'BceWithLogitsLossAndGrad' | 'MseLossAndGrad', kind: number) {
  return ([x, t]: [TensorInfo, TensorInfo], _attrs: unknown, ctx: KernelContext): [TensorInfo, TensorInfo] => {
    const be = wasmOf(kernel, ctx);
    samePair(kernel, x, t);
    const [xp, tp] = [be.ptr(kernel, x), be.ptr(kernel, t)];
    const value = be.alloc('float32', 1);
    const vp = value.byteOffset;
    const grad = be.alloc('float32', x.data.length);
    be.kernels.meanLoss(kind, xp, tp, x.data.length, vp, grad.byteOffset, 1);
    return [{ shape: [], dtype: 'float32', data: be.current(value) }, { shape: x.shape, dtype: 'float32', data: grad }];
  };
}

export function registerLosses(backend: string): void {
  registerKernel(backend, 'BceWithLogitsLossAndGrad', lossAndGrad('BceWithLogitsLossAndGrad', BCE));
  registerKernel(backend, 'MseLossAndGrad', lossAndGrad('MseLossAndGrad', MSE));
  registerKernel(backend, 'BceWithLogitsLoss', loss('BceWithLogitsLoss', BCE));
  registerKernel(backend, 'BceWithLogitsLossGrad', lossGrad('BceWithLogitsLossGrad', BCE));
  registerKernel(backend, 'MseLoss', loss('MseLoss', MSE));
  registerKernel(backend, 'MseLossGrad', lossGrad('MseLossGrad', MSE));
}
