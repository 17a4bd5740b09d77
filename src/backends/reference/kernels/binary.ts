/**
 * Binary elementwise kernels with NumPy broadcasting. They share one loop and differ by a scalar
 * function, so they are declared as a table here rather than one file each.
 */
import { broadcastShapes, registerKernel, shapesEqual, type KernelContext, type KernelName, type TensorInfo } from '../../../core/index.js';
import { broadcastStrides, forEachOffset } from '../indexing.js';

type BinaryName = Extract<KernelName, 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Maximum' | 'Minimum' | 'Greater' | 'GreaterEqual' | 'Equal'>;

const FNS: Record<BinaryName, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  Pow: (a, b) => Math.pow(a, b),
  Maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  Minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  Greater: (a, b) => (a > b ? 1 : 0),
  GreaterEqual: (a, b) => (a >= b ? 1 : 0),
  Equal: (a, b) => (a === b ? 1 : 0),
};

export function binaryKernel(f: (a: number, b: number) => number) {
  return ([a, b]: [TensorInfo, TensorInfo], _attrs: unknown, ctx: KernelContext): TensorInfo => {
    const shape = broadcastShapes(a.shape, b.shape);
    const ad = a.data;
    const bd = b.data;
    const out = ctx.alloc(a.dtype, shape.reduce((p, d) => p * d, 1));
    if (shapesEqual(a.shape, b.shape)) {
      for (let i = 0; i < out.length; i++) out[i] = f(ad[i]!, bd[i]!);
    } else if (b.data.length === 1) {
      const s = bd[0]!;
      for (let i = 0; i < out.length; i++) out[i] = f(ad[i]!, s);
    } else {
      const sa = broadcastStrides(a.shape, shape);
      const sb = broadcastStrides(b.shape, shape);
      forEachOffset(shape, [sa, sb], (i, o) => (out[i] = f(ad[o[0]!]!, bd[o[1]!]!)));
    }
    return { shape, dtype: a.dtype, data: out };
  };
}

export function registerBinaryKernels(backend: string): void {
  for (const name of Object.keys(FNS) as BinaryName[]) registerKernel(backend, name, binaryKernel(FNS[name]));
}
