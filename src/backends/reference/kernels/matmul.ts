/** C = op(A)·op(B), accumulated in double precision. The oracle for every fast GEMM. */
import { registerKernel, type KernelFn } from '../../../core/index.js';

export const matmul: KernelFn<'MatMul'> = ([a, b], { transposeA, transposeB }, ctx) => {
  const [ar, ac] = [a.shape[0]!, a.shape[1]!];
  const [br, bc] = [b.shape[0]!, b.shape[1]!];
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const n = transposeB ? br : bc;
  // Element (i, p) of op(A) sits at i*sai + p*sap; element (p, j) of op(B) at p*sbp + j*sbj.
  const [sai, sap] = transposeA ? [1, ac] : [ac, 1];
  const [sbp, sbj] = transposeB ? [1, bc] : [bc, 1];
  const ad = a.data;
  const bd = b.data;
  const out = ctx.alloc(a.dtype, m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += ad[i * sai + p * sap]! * bd[p * sbp + j * sbj]!;
      out[i * n + j] = acc;
    }
  }
  return { shape: [m, n], dtype: a.dtype, data: out };
};

export const registerMatMul = (backend: string): void => registerKernel(backend, 'MatMul', matmul);
