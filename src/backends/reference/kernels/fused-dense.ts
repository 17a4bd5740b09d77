/**
 * FusedDense and FusedDenseGrad composed from the reference MatMul and plain loops: the oracle the
 * fast fused kernels are tested against. act' is taken from the output y, as in core/fused.ts.
 */
import { allocArray, registerKernel, type Activation, type KernelFn } from '../../../core/index.js';
import { matmul } from './matmul.js';

export const ACT: Record<Activation, (z: number) => number> = {
  linear: (z) => z,
  relu: (z) => (z > 0 ? z : Number.isNaN(z) ? z : 0),
  sigmoid: (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))),
  tanh: Math.tanh,
};

export const SLOPE: Record<Activation, (y: number) => number> = {
  linear: () => 1,
  relu: (y) => (y > 0 ? 1 : 0),
  sigmoid: (y) => y * (1 - y),
  tanh: (y) => 1 - y * y,
};

/** act(x·Wᵀ + b): x (B, in), W (out, in), b (out) → (B, out). */
export const fusedDense: KernelFn<'FusedDense'> = ([x, w, b], { activation }, ctx) => {
  const z = matmul([x, w], { transposeA: false, transposeB: true }, ctx); // (B, out)
  const out = b.data.length;
  const f = ACT[activation];
  const zd = z.data;
  for (let i = 0; i < zd.length; i++) zd[i] = f(zd[i]! + b.data[i % out]!);
  return z;
};

/** dz = dy ⊙ act'(y); dx = dz·W (B, in) (empty (0, in) unless `inputGrad`), dW = dzᵀ·x (out, in), db = Σ_rows dz (out). */
export const fusedDenseGrad: KernelFn<'FusedDenseGrad'> = ([dy, x, w, y], { activation, inputGrad }, ctx) => {
  const slope = SLOPE[activation];
  const dz = allocArray(dy.dtype, dy.data.length); // scratch, not handed out
  for (let i = 0; i < dz.length; i++) dz[i] = dy.data[i]! * slope(y.data[i]!);
  const dzInfo = { shape: dy.shape, dtype: dy.dtype, data: dz };
  const dx = inputGrad ? matmul([dzInfo, w], { transposeA: false, transposeB: false }, ctx) : { shape: [0, x.shape[1]!], dtype: dy.dtype, data: ctx.alloc(dy.dtype, 0) };
  const dw = matmul([dzInfo, x], { transposeA: true, transposeB: false }, ctx);
  const out = w.shape[0]!;
  const db = new Float64Array(out);
  for (let i = 0; i < dz.length; i++) db[i % out] = db[i % out]! + dz[i]!;
  const dbData = ctx.alloc(dy.dtype, out);
  dbData.set(db);
  return [dx, dw, { shape: [out], dtype: dy.dtype, data: dbData }];
};

export function registerFusedDense(backend: string): void {
  registerKernel(backend, 'FusedDense', fusedDense);
  registerKernel(backend, 'FusedDenseGrad', fusedDenseGrad);
}
