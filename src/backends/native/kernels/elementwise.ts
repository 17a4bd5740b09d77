/**
 * Unary and binary elementwise kernels, Where, Cast and BroadcastTo. They share one native entry
 * per family and differ by an op code, so they are declared as tables here.
 */
import { broadcastShapes, fmtShape, registerKernel, shapesEqual, sizeOf, type KernelContext, type KernelFn, type KernelName, type Shape, type TensorInfo } from '../../../core/index.js';
import type { NativeAddon } from '../addon.js';
import { broadcastLayout, requireFloat32 } from './util.js';

type UnaryName = Extract<KernelName, 'Neg' | 'Abs' | 'Sign' | 'Exp' | 'Log' | 'Log1p' | 'Sqrt' | 'Tanh' | 'Sigmoid' | 'Relu' | 'Erf'>;
type BinaryName = Extract<KernelName, 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Maximum' | 'Minimum' | 'Greater' | 'GreaterEqual' | 'Equal'>;

// Op codes of native/isa.h (UnaryOp, BinaryOp).
const UNARY: Record<UnaryName, number> = { Neg: 0, Abs: 1, Sign: 2, Exp: 3, Log: 4, Log1p: 5, Sqrt: 6, Tanh: 7, Sigmoid: 8, Relu: 9, Erf: 10 };
const COPY = 11;
const BINARY: Record<BinaryName, number> = { Add: 0, Sub: 1, Mul: 2, Div: 3, Pow: 4, Maximum: 5, Minimum: 6, Greater: 7, GreaterEqual: 8, Equal: 9 };

function unaryKernel(addon: NativeAddon, name: UnaryName) {
  const op = UNARY[name];
  return ([x]: [TensorInfo], _attrs: unknown, ctx: KernelContext): TensorInfo => {
    if (x.dtype !== 'float32') requireFloat32(name, [x]);
    const out = ctx.alloc('float32', x.data.length);
    addon.unary(op, x.data, out);
    return { shape: x.shape, dtype: 'float32', data: out };
  };
}

/** An input of one element whose rank does not exceed the other's leaves the output shape alone. */
function isScalarLike(s: TensorInfo, other: TensorInfo): boolean {
  return s.data.length === 1 && s.shape.length <= other.shape.length;
}

function binaryKernel(addon: NativeAddon, name: BinaryName) {
  const op = BINARY[name];
  return ([a, b]: [TensorInfo, TensorInfo], _attrs: unknown, ctx: KernelContext): TensorInfo => {
    if (a.dtype !== 'float32' || b.dtype !== 'float32') requireFloat32(name, [a, b]);
    let shape: Shape;
    let layout: Int32Array | undefined;
    if (shapesEqual(a.shape, b.shape) || isScalarLike(b, a)) shape = a.shape;
    else if (isScalarLike(a, b)) shape = b.shape;
    else {
      shape = broadcastShapes(a.shape, b.shape);
      layout = broadcastLayout(shape, [a.shape, b.shape]);
    }
    const out = ctx.alloc('float32', sizeOf(shape));
    addon.binary(op, a.data, b.data, out, layout);
    return { shape, dtype: 'float32', data: out };
  };
}

function whereKernel(addon: NativeAddon): KernelFn<'Where'> {
  return ([c, a, b], _attrs, ctx) => {
    requireFloat32('Where', [c, a, b]);
    const shape = broadcastShapes(broadcastShapes(c.shape, a.shape), b.shape);
    const out = ctx.alloc('float32', sizeOf(shape));
    addon.where(c.data, a.data, b.data, out, broadcastLayout(shape, [c.shape, a.shape, b.shape]));
    return { shape, dtype: 'float32', data: out };
  };
}

function castKernel(addon: NativeAddon): KernelFn<'Cast'> {
  return ([x], { dtype }, ctx) => {
    if (dtype !== 'float32' || x.dtype !== 'float32') throw new Error(`kernel 'Cast' on backend 'native' supports float32 → float32 only, got ${x.dtype} → ${dtype}`);
    const out = ctx.alloc('float32', x.data.length);
    addon.unary(COPY, x.data, out);
    return { shape: x.shape, dtype: 'float32', data: out };
  };
}

function broadcastToKernel(addon: NativeAddon): KernelFn<'BroadcastTo'> {
  return ([x], { shape }, ctx) => {
    requireFloat32('BroadcastTo', [x]);
    if (!shapesEqual(broadcastShapes(x.shape, shape), shape)) throw new Error(`BroadcastTo: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
    const out = ctx.alloc('float32', sizeOf(shape));
    addon.broadcastTo(x.data, out, broadcastLayout(shape, [x.shape]));
    return { shape, dtype: 'float32', data: out };
  };
}

export function registerElementwise(addon: NativeAddon, backend: string): void {
  for (const name of Object.keys(UNARY) as UnaryName[]) registerKernel(backend, name, unaryKernel(addon, name));
  for (const name of Object.keys(BINARY) as BinaryName[]) registerKernel(backend, name, binaryKernel(addon, name));
  registerKernel(backend, 'Where', whereKernel(addon));
  registerKernel(backend, 'Cast', castKernel(addon));
  registerKernel(backend, 'BroadcastTo', broadcastToKernel(addon));
}
