/** BiasAct and BiasActGrad: a convolution's bias and activation, and their backward, in one pass each. */
import { fmtShape, registerKernel, type KernelFn, type TensorInfo } from '../../../core/index.js';
import type { NativeAddon } from '../addon.js';
import { ACT } from './fused-dense.js';
import { requireFloat32 } from './util.js';

/** (rows, C) of x (…, C), or an error naming the mismatch with `other` (b (C), or y of x's shape). */
function rowsAndChannels(kernel: string, x: TensorInfo, other: TensorInfo, otherIsBias: boolean): [number, number] {
  const c = x.shape.length > 0 ? x.shape[x.shape.length - 1]! : 0;
  const ok = x.shape.length > 0 && (otherIsBias ? other.shape.length === 1 && other.shape[0] === c : other.data.length === x.data.length);
  if (!ok) throw new Error(`${kernel}: expected ${otherIsBias ? 'x (…, C) and b (C)' : 'dy and y of one shape'}; got ${fmtShape(x.shape)} and ${fmtShape(other.shape)}`);
  return [c === 0 ? 0 : x.data.length / c, c];
}

function biasActKernel(addon: NativeAddon): KernelFn<'BiasAct'> {
  return ([x, b], { activation }, ctx) => {
    requireFloat32('BiasAct', [x, b]);
    const [rows, c] = rowsAndChannels('BiasAct', x, b, true);
    const y = ctx.alloc('float32', x.data.length);
    addon.biasAct(x.data, b.data, y, rows, c, ACT[activation]);
    return { shape: x.shape, dtype: 'float32', data: y };
  };
}

function biasActGradKernel(addon: NativeAddon): KernelFn<'BiasActGrad'> {
  return ([dy, y], { activation }, ctx) => {
    requireFloat32('BiasActGrad', [dy, y]);
    const [rows, c] = rowsAndChannels('BiasActGrad', dy, y, false);
    const dx = ctx.alloc('float32', dy.data.length);
    const db = ctx.alloc('float32', c);
    addon.biasActGrad(dy.data, y.data, dx, db, rows, c, ACT[activation]);
    return [{ shape: dy.shape, dtype: 'float32', data: dx }, { shape: [c], dtype: 'float32', data: db }];
  };
}

export function registerBiasAct(addon: NativeAddon, backend: string): void {
  registerKernel(backend, 'BiasAct', biasActKernel(addon));
  registerKernel(backend, 'BiasActGrad', biasActGradKernel(addon));
}
