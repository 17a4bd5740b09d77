/** Fused mean losses (BCE with logits, MSE) and their gradients; sums accumulate in double. */
import { fmtShape, registerKernel, type KernelContext, type TensorInfo } from '../../../core/index.js';
import type { NativeAddon } from '../addon.js';
import { requireFloat32 } from './util.js';

const BCE = 0;
const MSE = 1;

function samePair(kernel: string, x: TensorInfo, t: TensorInfo): void {
  requireFloat32(kernel, [x, t]);
  if (x.data.length !== t.data.length) throw new Error(`${kernel}: input ${fmtShape(x.shape)} and target ${fmtShape(t.shape)} differ in size`);
}

function loss(addon: NativeAddon, kernel: 'BceWithLogitsLoss' | 'MseLoss', kind: number) {
  return ([x, t]: [TensorInfo, TensorInfo], _attrs: unknown, ctx: KernelContext): TensorInfo => {
    samePair(kernel, x, t);
    const out = ctx.alloc('float32', 1);
    addon.meanLoss(kind, x.data, t.data, out);
    return { shape: [], dtype: 'float32', data: out };
  };
}

function lossGrad(addon: NativeAddon, kernel: 'BceWithLogitsLossGrad' | 'MseLossGrad', kind: number) {
  return ([dy, x, t]: [TensorInfo, TensorInfo, TensorInfo], _attrs: unknown, ctx: KernelContext): TensorInfo => {
    samePair(kernel, x, t);
    requireFloat32(kernel, [dy]);
    const out = ctx.alloc('float32', x.data.length);
    addon.meanLossGrad(kind, dy.data, x.data, t.data, out);
    return { shape: x.shape, dtype: 'float32', data: out };
  };
}

function lossAndGrad(addon: NativeAddon, kernel: 'BceWithLogitsLossAndGrad' | 'MseLossAndGrad', kind: number) {
  return ([x, t]: [TensorInfo, TensorInfo], _attrs: unknown, ctx: KernelContext): [TensorInfo, TensorInfo] => {
    samePair(kernel, x, t);
    const value = ctx.alloc('float32', 1);
    const grad = ctx.alloc('float32', x.data.length);
    addon.meanLossAndGrad(kind, x.data, t.data, value, grad);
    return [{ shape: [], dtype: 'float32', data: value }, { shape: x.shape, dtype: 'float32', data: grad }];
  };
}

export function registerLosses(addon: NativeAddon, backend: string): void {
  registerKernel(backend, 'BceWithLogitsLossAndGrad', lossAndGrad(addon, 'BceWithLogitsLossAndGrad', BCE));
  registerKernel(backend, 'MseLossAndGrad', lossAndGrad(addon, 'MseLossAndGrad', MSE));
  registerKernel(backend, 'BceWithLogitsLoss', loss(addon, 'BceWithLogitsLoss', BCE));
  registerKernel(backend, 'BceWithLogitsLossGrad', lossGrad(addon, 'BceWithLogitsLossGrad', BCE));
  registerKernel(backend, 'MseLoss', loss(addon, 'MseLoss', MSE));
  registerKernel(backend, 'MseLossGrad', lossGrad(addon, 'MseLossGrad', MSE));
}
