/**
 * Unary elementwise kernels. They share one loop and differ by a scalar function, so they are
 * declared as a table here rather than one file each.
 */
import { registerKernel, type KernelContext, type KernelName, type TensorInfo } from '../../../core/index.js';

type UnaryName = Extract<KernelName, 'Neg' | 'Abs' | 'Sign' | 'Exp' | 'Log' | 'Log1p' | 'Sqrt' | 'Tanh' | 'Sigmoid' | 'Relu' | 'Erf'>;

/** erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): all terms positive, so no cancellation. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  let term = ax;
  let total = ax;
  for (let n = 1; n < 200 && term > 1e-17 * total; n++) {
    term *= (2 * ax * ax) / (2 * n + 1);
    total += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * total;
}

const FNS: Record<UnaryName, (x: number) => number> = {
  Neg: (x) => -x,
  Abs: Math.abs,
  Sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x),
  Exp: Math.exp,
  Log: Math.log,
  Log1p: Math.log1p,
  Sqrt: Math.sqrt,
  Tanh: Math.tanh,
  Sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  Relu: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0),
  Erf: erf,
};

function unaryKernel(f: (x: number) => number) {
  return ([x]: [TensorInfo], _attrs: unknown, ctx: KernelContext): TensorInfo => {
    const out = ctx.alloc(x.dtype, x.data.length);
    const d = x.data;
    for (let i = 0; i < d.length; i++) out[i] = f(d[i]!);
    return { shape: x.shape, dtype: x.dtype, data: out };
  };
}

export function registerUnaryKernels(backend: string): void {
  for (const name of Object.keys(FNS) as UnaryName[]) registerKernel(backend, name, unaryKernel(FNS[name]));
}
