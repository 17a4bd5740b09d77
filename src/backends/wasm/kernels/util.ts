/** Helpers shared by the wasm kernels: the backend behind a kernel context, dtype checks, layouts. */
import { type KernelContext, type Shape, type TensorInfo } from '../../../core/index.js';
import { WasmBackend } from '../backend.js';

/** The wasm backend a kernel runs on (kernels are registered once and serve every instance). */
export function wasmOf(kernel: string, ctx: KernelContext): WasmBackend {
  if (!(ctx instanceof WasmBackend)) throw new Error(`kernel '${kernel}' of backend 'wasm' was called without a wasm backend as its context`);
  return ctx;
}

/** Throws unless every input is float32 (the only dtype the wasm kernels compute in). */
export function requireFloat32(kernel: string, inputs: readonly TensorInfo[]): void {
  for (const t of inputs) {
    if (t.dtype !== 'float32') throw new Error(`kernel '${kernel}' on backend 'wasm' computes in float32 only, got ${t.dtype}`);
  }
}

/** [rank, dims…, then each operand's element strides over dims (0 where it broadcasts)…]; rank ≥ 1. */
export function stridedLayout(dims: Shape, operandStrides: readonly (readonly number[])[]): number[] {
  if (dims.length === 0) return [1, 1, ...operandStrides.map(() => 0)];
  return [dims.length, ...dims, ...operandStrides.flat()];
}

/** Element strides of a row-major `inp` read as `out` (right-aligned; 0 on axes it broadcasts). */
function broadcastStrides(inp: Shape, out: Shape): number[] {
  const strides = new Array<number>(out.length).fill(0);
  for (let i = inp.length - 1, acc = 1; i >= 0; i--) {
    const o = out.length - inp.length + i;
    strides[o] = inp[i] === 1 && out[o] !== 1 ? 0 : acc;
    acc *= inp[i]!;
  }
  return strides;
}

/** The layout of operands broadcast to `shape`. */
export function broadcastLayout(shape: Shape, operands: readonly Shape[]): number[] {
  return stridedLayout(shape, operands.map((s) => broadcastStrides(s, shape)));
}
