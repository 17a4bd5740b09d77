/** Helpers shared by the native kernels: dtype checks and broadcast layout descriptors. */
import type { Shape, TensorInfo } from '../../../core/index.js';

/** Throws unless every input is float32 (the only dtype the native kernels compute in). */
export function requireFloat32(kernel: string, inputs: readonly TensorInfo[]): void {
  for (const t of inputs) {
    if (t.dtype !== 'float32') throw new Error(`kernel '${kernel}' on backend 'native' computes in float32 only, got ${t.dtype}`);
  }
}

// One reusable descriptor per length; kernels are synchronous, so reuse is safe.
const descriptors: Int32Array[] = [];

function descriptor(length: number): Int32Array {
  return (descriptors[length] ??= new Int32Array(length));
}

/** [rank, out…, each input's dims right-aligned to rank and padded with 1…] for the addon. */
export function broadcastLayout(out: Shape, inputs: readonly Shape[]): Int32Array {
  const rank = out.length;
  const d = descriptor(1 + rank * (inputs.length + 1));
  d[0] = rank;
  for (let i = 0; i < rank; i++) d[1 + i] = out[i]!;
  inputs.forEach((s, o) => {
    const base = 1 + rank * (o + 1);
    const pad = rank - s.length;
    for (let i = 0; i < rank; i++) d[base + i] = i < pad ? 1 : s[i - pad]!;
  });
  return d;
}

/** Layout for Transpose: [rank, outDims…, the input stride of each output axis…]. */
export function transposeLayout(inShape: Shape, perm: readonly number[]): Int32Array {
  const rank = inShape.length;
  const d = descriptor(1 + 2 * rank);
  d[0] = rank;
  const strides = new Array<number>(rank);
  for (let i = rank - 1, acc = 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= inShape[i]!;
  }
  for (let i = 0; i < rank; i++) {
    d[1 + i] = inShape[perm[i]!]!;
    d[1 + rank + i] = strides[perm[i]!]!;
  }
  return d;
}
