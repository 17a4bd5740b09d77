/**
 * Unary and binary elementwise kernels, Where, Cast and BroadcastTo. They share one wasm entry per
 * family and differ by an op code, so they are declared as tables here.
 */
import { broadcastShapes, registerKernel, shapesEqual, sizeOf, type KernelContext, type KernelFn, type KernelName, type Shape, type TensorInfo } from '../../../core/index.js';
import { broadcastLayout, requireFloat32, wasmOf } from './util.js';

type UnaryName = Extract<KernelName, 'Neg' | 'Abs' | 'Sign' | 'Exp' | 'Log' | 'Log1p' | 'Sqrt' | 'Tanh' | 'Sigmoid' | 'Relu' | 'Erf'>;
type BinaryName = Extract<KernelName, 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Maximum' | 'Minimum' | 'Greater' | 'GreaterEqual' | 'Equal'>;

// Op codes of wasm/assembly/elementwise.ts.
const UNARY: Record<UnaryName, number> = { Neg: 0, Abs: 1, Sign: 2, Exp: 3, Log: 4, Log1p: 5, Sqrt: 6, Tanh: 7, Sigmoid: 8, Relu: 9, Erf: 10 };
const BINARY: Record<BinaryName, number> = { Add: 0, Sub: 1, Mul: 2, Div: 3, Pow: 4, Maximum: 5, Minimum: 6, Greater: 7, GreaterEqual: 8, Equal: 9 };

function unaryKernel(name: UnaryName) {
  const op = UNARY[name];
  return ([x]: [TensorInfo], _attrs: unknown, ctx: KernelContext): TensorInfo => {
    const be = wasmOf(name, ctx);
    requireFloat32(name, [x]);
    const xp = be.ptr(name, x);
    const out = be.alloc('float32', x.data.length);
    if (out.length > 0) be.kernels.unary(op, xp, out.byteOffset, out.length);
    return { shape: x.shape, dtype: 'float32', data: out };
  };
}

/** An input of one element whose rank does not exceed the other's leaves the output shape alone. */
function isScalarLike(s: TensorInfo, other: TensorInfo): boolean {
  return s.data.length === 1 && s.shape.length <= other.shape.length;
}

function binaryKernel(name: BinaryName) {
  const op = BINARY[name];
  return ([a, b]: [TensorInfo, TensorInfo], _attrs: unknown, ctx: KernelContext): TensorInfo => {
    const be = wasmOf(name, ctx);
    requireFloat32(name, [a, b]);
    let shape: Shape;
    let layout: number[];
    const n = (s: Shape): number => sizeOf(s);
    if (shapesEqual(a.shape, b.shape)) [shape, layout] = [a.shape, [1, n(a.shape), 1, 1]];
    else if (isScalarLike(b, a)) [shape, layout] = [a.shape, [1, n(a.shape), 1, 0]];
    else if (isScalarLike(a, b)) [shape, layout] = [b.shape, [1, n(b.shape), 0, 1]];
    else {
      shape = broadcastShapes(a.shape, b.shape);
      layout = broadcastLayout(shape, [a.shape, b.shape]);
    }
    const ap = be.ptr(name, a);
    const bp = be.ptr(name, b);
    const out = be.alloc('float32', sizeOf(shape));
    if (out.length > 0) be.kernels.binary(op, ap, bp, out.byteOffset, be.layout(layout));
    return { shape, dtype: 'float32', data: out };
  };
}

const whereKernel: KernelFn<'Where'> = ([c, a, b], _attrs, ctx) => {
  const be = wasmOf('Where', ctx);
  requireFloat32('Where', [c, a, b]);
  const shape = broadcastShapes(broadcastShapes(c.shape, a.shape), b.shape);
  const [cp, ap, bp] = [be.ptr('Where', c), be.ptr('Where', a), be.ptr('Where', b)];
  const out = be.alloc('float32', sizeOf(shape));
  if (out.length > 0) be.kernels.where(cp, ap, bp, out.byteOffset, be.layout(broadcastLayout(shape, [c.shape, a.shape, b.shape])));
  return { shape, dtype: 'float32', data: out };
};

const castKernel: KernelFn<'Cast'> = ([x], { dtype }, ctx) => {
  const be = wasmOf('Cast', ctx);
  if (dtype !== 'float32' || x.dtype !== 'float32') throw new Error(`kernel 'Cast' on backend 'wasm' computes in float32 only, asked ${x.dtype} → ${dtype}`);
  const xp = be.ptr('Cast', x);
  const out = be.alloc('float32', x.data.length);
  if (out.length > 0) be.kernels.stridedCopy(xp, out.byteOffset, be.layout([1, out.length, 1]));
  return { shape: x.shape, dtype: 'float32', data: out };
};

const broadcastToKernel: KernelFn<'BroadcastTo'> = ([x], { shape }, ctx) => {
  const be = wasmOf('BroadcastTo', ctx);
  requireFloat32('BroadcastTo', [x]);
  if (!shapesEqual(broadcastShapes(x.shape, shape), shape)) throw new Error(`BroadcastTo: cannot broadcast [${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  const xp = be.ptr('BroadcastTo', x);
  const out = be.alloc('float32', sizeOf(shape));
  if (out.length > 0) be.kernels.stridedCopy(xp, out.byteOffset, be.layout(broadcastLayout(shape, [x.shape])));
  return { shape, dtype: 'float32', data: out };
};

export function registerElementwise(backend: string): void {
  for (const name of Object.keys(UNARY) as UnaryName[]) registerKernel(backend, name, unaryKernel(name));
  for (const name of Object.keys(BINARY) as BinaryName[]) registerKernel(backend, name, binaryKernel(name));
  registerKernel(backend, 'Where', whereKernel);
  registerKernel(backend, 'Cast', castKernel);
  registerKernel(backend, 'BroadcastTo', broadcastToKernel);
}
