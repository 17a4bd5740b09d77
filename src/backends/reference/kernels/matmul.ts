/**
 * C = op(A)·op(B), accumulated in double precision. The oracle for every fast GEMM.
 * Rows of op(A) and columns of op(B) are first copied into contiguous double arrays, so the inner
 * loop is a plain dot product over two contiguous arrays whatever the transposes are.
 */
import { registerKernel, type KernelFn, type TypedArray } from '../../../core/index.js';

/** The r×c matrix op(X) with op(X)[i][j] = X[i*si + j*sj], copied row by row. */
function pack(x: TypedArray, r: number, c: number, si: number, sj: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * c + j] = x[i * si + j * sj]!;
  return out;
}

export const matmul: KernelFn<'MatMul'> = ([a, b], { transposeA, transposeB }, ctx) => {
  const [ar, ac] = [a.shape[0]!, a.shape[1]!];
  const [br, bc] = [b.shape[0]!, b.shape[1]!];
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const n = transposeB ? br : bc;
  const rowsA = transposeA ? pack(a.data, m, k, 1, ac) : pack(a.data, m, k, ac, 1); // (m, k)
  const colsB = transposeB ? pack(b.data, n, k, bc, 1) : pack(b.data, n, k, 1, bc); // (n, k): column j of op(B)
  const out = ctx.alloc(a.dtype, m * n);
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    let j = 0;
    // Two columns per pass halve the loads of the row of op(A); the arithmetic is unchanged.
    for (; j + 1 < n; j += 2) {
      const b0 = j * k;
      const b1 = b0 + k;
      let acc0 = 0;
      let acc1 = 0;
      for (let p = 0; p < k; p++) {
        const av = rowsA[ai + p]!;
        acc0 += av * colsB[b0 + p]!;
        acc1 += av * colsB[b1 + p]!;
      }
      out[i * n + j] = acc0;
      out[i * n + j + 1] = acc1;
    }
    if (j < n) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += rowsA[ai + p]! * colsB[j * k + p]!;
      out[i * n + j] = acc;
    }
  }
  return { shape: [m, n], dtype: a.dtype, data: out };
};

export const registerMatMul = (backend: string): void => registerKernel(backend, 'MatMul', matmul);
