/** MatMul through the packed SIMD GEMM (all four transpose combinations pack into the same micro-kernel). */
import { fmtShape, registerKernel, type KernelFn } from '../../../core/index.js';
import { requireFloat32, wasmOf } from './util.js';

const matmulKernel: KernelFn<'MatMul'> = ([a, b], { transposeA, transposeB }, ctx) => {
  const be = wasmOf('MatMul', ctx);
  requireFloat32('MatMul', [a, b]);
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error(`MatMul needs 2-D inputs, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const m = transposeA ? a.shape[1]! : a.shape[0]!;
  const k = transposeA ? a.shape[0]! : a.shape[1]!;
  const n = transposeB ? b.shape[0]! : b.shape[1]!;
  if ((transposeB ? b.shape[1] : b.shape[0]) !== k) throw new Error(`MatMul: inner dimensions differ: ${fmtShape(a.shape)}${transposeA ? 'ᵀ' : ''} · ${fmtShape(b.shape)}${transposeB ? 'ᵀ' : ''}`);
  const [ap, bp] = [be.ptr('MatMul', a), be.ptr('MatMul', b)];
  const out = be.alloc('float32', m * n);
  be.kernels.gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, ap, bp, out.byteOffset, 0, 0);
  return { shape: [m, n], dtype: 'float32', data: out };
};

export const registerMatMul = (backend: string): void => registerKernel(backend, 'MatMul', matmulKernel);
