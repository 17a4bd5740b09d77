/** Shape arithmetic shared by ops and backends. Shapes are row-major (C order). */
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function assertValidShape(shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape [${shape.join(', ')}]: dimensions must be non-negative integers`);
  }
}

/** NumPy broadcasting: align from the right; each pair of dims must be equal or one of them 1. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`shapes [${a.join(', ')}] and [${b.join(', ')}] cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Axes of `out` along which `inp` was broadcast (for reducing gradients back to `inp`'s shape). */
export function broadcastedAxes(inp: Shape, out: Shape): number[] {
  const axes: number[] = [];
  const offset = out.length - inp.length;
  for (let i = 0; i < out.length; i++) {
    const d = i < offset ? 1 : inp[i - offset]!;
    if (d === 1 && out[i] !== 1) axes.push(i);
  }
  return axes;
}

/** Resolve negative axes and check bounds; undefined means all axes. */
export function normalizeAxes(axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = list.map((a) => {
    const r = a < 0 ? a + rank : a;
    if (r < 0 || r >= rank) throw new Error(`axis ${a} is out of range for a tensor of rank ${rank}`);
    return r;
  });
  return [...new Set(out)].sort((x, y) => x - y);
}

export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}
