/** Index arithmetic for broadcasting and strided copies, shared by the reference kernels. */
import { stridesOf, type Shape } from '../../core/index.js';

/** Strides of `inp` seen from a tensor of shape `out` that it broadcasts to (0 on broadcast axes). */
export function broadcastStrides(inp: Shape, out: Shape): number[] {
  const s = stridesOf(inp);
  const offset = out.length - inp.length;
  return out.map((_, i) => (i < offset || inp[i - offset] === 1 ? 0 : s[i - offset]!));
}

/**
 * For each position of `out` in row-major order, call `visit(outIndex, ...offsets)` with the flat
 * offsets into each operand given its strides relative to `out`.
 */
export function forEachOffset(out: Shape, strides: readonly (readonly number[])[], visit: (i: number, offs: Int32Array) => void): void {
  const rank = out.length;
  const n = out.reduce((p, d) => p * d, 1);
  const idx = new Int32Array(rank);
  const offs = new Int32Array(strides.length);
  for (let i = 0; i < n; i++) {
    visit(i, offs);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < strides.length; k++) offs[k]! += strides[k]![d]!;
      if (idx[d]! < out[d]!) break;
      for (let k = 0; k < strides.length; k++) offs[k]! -= strides[k]![d]! * out[d]!;
      idx[d] = 0;
    }
  }
}
