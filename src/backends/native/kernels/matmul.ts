/** MatMul through the addon's packed, blocked SGEMM (all four transpose combinations). */
import { fmtShape, registerKernel, type KernelFn } from '../../../core/index.js';
import type { NativeAddon } from '../addon.js';
import { requireFloat32 } from './util.js';

function matmulKernel(addon: NativeAddon): KernelFn<'MatMul'> {
  return ([a, b], { transposeA, transposeB }, ctx) => {
    if (a.dtype !== 'float32' || b.dtype !== 'float32') requireFloat32('MatMul', [a, b]);
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error(`MatMul needs 2-D inputs, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
    const m = transposeA ? a.shape[1]! : a.shape[0]!;
    const k = transposeA ? a.shape[0]! : a.shape[1]!;
    const n = transposeB ? b.shape[0]! : b.shape[1]!;
    if ((transposeB ? b.shape[1] : b.shape[0]) !== k) throw new Error(`MatMul: inner dimensions differ: ${fmtShape(a.shape)}${transposeA ? 'ᵀ' : ''} · ${fmtShape(b.shape)}${transposeB ? 'ᵀ' : ''}`);
    const out = ctx.alloc('float32', m * n);
    addon.matmul(a.data, b.data, out, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0);
    return { shape: [m, n], dtype: 'float32', data: out };
  };
}

export const registerMatMul = (addon: NativeAddon, backend: string): void => registerKernel(backend, 'MatMul', matmulKernel(addon));
