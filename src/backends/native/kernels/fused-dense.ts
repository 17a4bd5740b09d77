/** FusedDense (GEMM with bias + activation in its epilogue) and FusedDenseGrad. */
import { fmtShape, registerKernel, type Activation, type KernelFn, type TensorInfo } from '../../../core/index.js';
import type { NativeAddon } from '../addon.js';
import { requireFloat32 } from './util.js';

/** Act codes of native/isa.h, as the addon's fusedDense and fusedDenseGrad take them. */
export const ACT: Record<Activation, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 };

/** (batch, in, out) from x (B, in), w (out, in) and b (out), or an error naming the mismatch. */
function denseDims(kernel: string, x: TensorInfo, w: TensorInfo, b?: TensorInfo): [number, number, number] {
  const ok = x.shape.length === 2 && w.shape.length === 2 && x.shape[1] === w.shape[1] && (!b || (b.shape.length === 1 && b.shape[0] === w.shape[0]));
  if (!ok) throw new Error(`${kernel}: expected x (B, in), w (out, in), b (out); got x ${fmtShape(x.shape)}, w ${fmtShape(w.shape)}${b ? `, b ${fmtShape(b.shape)}` : ''}`);
  return [x.shape[0]!, x.shape[1]!, w.shape[0]!];
}

function fusedDenseKernel(addon: NativeAddon): KernelFn<'FusedDense'> {
  return ([x, w, b], { activation }, ctx) => {
    requireFloat32('FusedDense', [x, w, b]);
    const [batch, inF, outF] = denseDims('FusedDense', x, w, b);
    const y = ctx.alloc('float32', batch * outF);
    addon.fusedDense(x.data, w.data, b.data, y, batch, inF, outF, ACT[activation]);
    return { shape: [batch, outF], dtype: 'float32', data: y };
  };
}

function fusedDenseGradKernel(addon: NativeAddon): KernelFn<'FusedDenseGrad'> {
  return ([dy, x, w, y], { activation, inputGrad }, ctx) => {
    requireFloat32('FusedDenseGrad', [dy, x, w, y]);
    const [batch, inF, outF] = denseDims('FusedDenseGrad', x, w);
    if (dy.data.length !== batch * outF || y.data.length !== batch * outF) throw new Error(`FusedDenseGrad: dy ${fmtShape(dy.shape)} and y ${fmtShape(y.shape)} must be (${batch}, ${outF})`);
    const dxRows = inputGrad ? batch : 0;
    const dx = ctx.alloc('float32', dxRows * inF);
    const dw = ctx.alloc('float32', outF * inF);
    const db = ctx.alloc('float32', outF);
    addon.fusedDenseGrad(dy.data, x.data, w.data, y.data, dx, dw, db, batch, inF, outF, ACT[activation]);
    return [
      { shape: [dxRows, inF], dtype: 'float32', data: dx },
      { shape: [outF, inF], dtype: 'float32', data: dw },
      { shape: [outF], dtype: 'float32', data: db },
    ];
  };
}

export function registerFusedDense(addon: NativeAddon, backend: string): void {
  registerKernel(backend, 'FusedDense', fusedDenseKernel(addon));
  registerKernel(backend, 'FusedDenseGrad', fusedDenseGradKernel(addon));
}
