// Elementwise kernels: unary ops over contiguous data, binary ops and Where with broadcasting
// described by a layout (rank, output dims, then each operand's element strides, 0 where it
// broadcasts), and strided copies (Transpose, BroadcastTo).
import { erf, k, MONE, ONE, splat, vexp, vlog, vlog1p, vrelu, vsigmoid, vtanh } from './vmath';

// Op codes, in the order of src/backends/wasm/kernels/elementwise.ts.
const NEG = 0, ABS = 1, SIGN = 2, EXP = 3, LOG = 4, LOG1P = 5, SQRT = 6, TANH = 7, SIGMOID = 8, RELU = 9, ERF = 10;
const ADD = 0, SUB = 1, MUL = 2, DIV = 3, POW = 4, MAXIMUM = 5, MINIMUM = 6, GREATER = 7, GREATER_EQUAL = 8, EQUAL = 9;

// @ts-ignore: decorator
@inline function unaryOp(op: i32, x: v128): v128 {
  switch (op) {
    case NEG: return f32x4.neg(x);
    case ABS: return f32x4.abs(x);
    case SIGN: {
      const s = v128.bitselect(k(ONE), k(MONE), f32x4.gt(x, splat(0)));
      return v128.bitselect(s, x, v128.or(f32x4.gt(x, splat(0)), f32x4.lt(x, splat(0))));
    }
    case EXP: return vexp(x);
    case LOG: return vlog(x);
    case LOG1P: return vlog1p(x);
    case SQRT: return f32x4.sqrt(x);
    case TANH: return vtanh(x);
    case SIGMOID: return vsigmoid(x);
    default: return vrelu(x);
  }
}

// @ts-ignore: decorator
@inline function unaryLoop(op: i32, x: usize, out: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) v128.store(out + (i << 2), unaryOp(op, v128.load(x + (i << 2))));
  for (; i < n; i++) store<f32>(out + (i << 2), f32x4.extract_lane(unaryOp(op, f32x4.splat(load<f32>(x + (i << 2)))), 0));
}

export function unary(op: i32, x: usize, out: usize, n: usize): void {
  switch (op) {
    case NEG: unaryLoop(NEG, x, out, n); break;
    case ABS: unaryLoop(ABS, x, out, n); break;
    case SIGN: unaryLoop(SIGN, x, out, n); break;
    case EXP: unaryLoop(EXP, x, out, n); break;
    case LOG: unaryLoop(LOG, x, out, n); break;
    case LOG1P: unaryLoop(LOG1P, x, out, n); break;
    case SQRT: unaryLoop(SQRT, x, out, n); break;
    case TANH: unaryLoop(TANH, x, out, n); break;
    case SIGMOID: unaryLoop(SIGMOID, x, out, n); break;
    case RELU: unaryLoop(RELU, x, out, n); break;
    case ERF: for (let i: usize = 0; i < n; i++) store<f32>(out + (i << 2), <f32>erf(<f64>load<f32>(x + (i << 2)))); break;
    default: unreachable();
  }
}

// @ts-ignore: decorator
@inline function binaryOp(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    case MAXIMUM: return f32x4.max(a, b);
    case MINIMUM: return f32x4.min(a, b);
    case GREATER: return v128.and(f32x4.gt(a, b), k(ONE));
    case GREATER_EQUAL: return v128.and(f32x4.ge(a, b), k(ONE));
    default: return v128.and(f32x4.eq(a, b), k(ONE));
  }
}

// @ts-ignore: decorator
@inline function binaryScalar(op: i32, a: f32, b: f32): f32 {
  if (op == POW) return <f32>Math.pow(<f64>a, <f64>b);
  return f32x4.extract_lane(binaryOp(op, f32x4.splat(a), f32x4.splat(b)), 0);
}

/** One innermost row: n outputs, operand strides sa, sb (elements) with 0 meaning a repeated value. */
// @ts-ignore: decorator
@inline function binaryRow(op: i32, a: usize, sa: usize, b: usize, sb: usize, out: usize, n: usize): void {
  let i: usize = 0;
  if (op != POW) {
    if (sa == 1 && sb == 1) {
      for (; i + 4 <= n; i += 4) v128.store(out + (i << 2), binaryOp(op, v128.load(a + (i << 2)), v128.load(b + (i << 2))));
    } else if (sa == 1 && sb == 0) {
      const vb = v128.load32_splat(b);
      for (; i + 4 <= n; i += 4) v128.store(out + (i << 2), binaryOp(op, v128.load(a + (i << 2)), vb));
    } else if (sa == 0 && sb == 1) {
      const va = v128.load32_splat(a);
      for (; i + 4 <= n; i += 4) v128.store(out + (i << 2), binaryOp(op, va, v128.load(b + (i << 2))));
    }
  }
  for (; i < n; i++) store<f32>(out + (i << 2), binaryScalar(op, load<f32>(a + ((i * sa) << 2)), load<f32>(b + ((i * sb) << 2))));
}

/** Walk every innermost row of a layout [rank, dims…, strides of operand 0…, of operand 1…, …]. */
// @ts-ignore: decorator
@inline function rowCount(layout: usize): usize {
  const rank = load<i32>(layout);
  let rows: usize = 1;
  for (let d = 0; d < rank - 1; d++) rows *= <usize>load<i32>(layout + 4 + (d << 2));
  return rows;
}

/** Element offset of row `row` for operand `o` of the layout. */
function rowOffset(layout: usize, row: usize, o: i32): usize {
  const rank = load<i32>(layout);
  const strides = layout + 4 + <usize>((rank * (1 + o)) << 2);
  let off: usize = 0;
  for (let d = rank - 2; d >= 0; d--) {
    const dim = <usize>load<i32>(layout + 4 + (d << 2));
    off += (row % dim) * <usize>load<i32>(strides + (d << 2));
    row /= dim;
  }
  return off;
}

// @ts-ignore: decorator
@inline function binaryLoop(op: i32, a: usize, b: usize, out: usize, layout: usize): void {
  const rank = load<i32>(layout);
  const n = <usize>load<i32>(layout + 4 + ((rank - 1) << 2));
  const sa = <usize>load<i32>(layout + 4 + ((2 * rank - 1) << 2));
  const sb = <usize>load<i32>(layout + 4 + ((3 * rank - 1) << 2));
  const rows = rowCount(layout);
  for (let r: usize = 0; r < rows; r++) {
    binaryRow(op, a + (rowOffset(layout, r, 0) << 2), sa, b + (rowOffset(layout, r, 1) << 2), sb, out + ((r * n) << 2), n);
  }
}

export function binary(op: i32, a: usize, b: usize, out: usize, layout: usize): void {
  switch (op) {
    case ADD: binaryLoop(ADD, a, b, out, layout); break;
    case SUB: binaryLoop(SUB, a, b, out, layout); break;
    case MUL: binaryLoop(MUL, a, b, out, layout); break;
    case DIV: binaryLoop(DIV, a, b, out, layout); break;
    case POW: binaryLoop(POW, a, b, out, layout); break;
    case MAXIMUM: binaryLoop(MAXIMUM, a, b, out, layout); break;
    case MINIMUM: binaryLoop(MINIMUM, a, b, out, layout); break;
    case GREATER: binaryLoop(GREATER, a, b, out, layout); break;
    case GREATER_EQUAL: binaryLoop(GREATER_EQUAL, a, b, out, layout); break;
    case EQUAL: binaryLoop(EQUAL, a, b, out, layout); break;
    default: unreachable();
  }
}

/** out = cond != 0 ? a : b over a three-operand layout. */
export function where(c: usize, a: usize, b: usize, out: usize, layout: usize): void {
  const rank = load<i32>(layout);
  const n = <usize>load<i32>(layout + 4 + ((rank - 1) << 2));
  const sc = <usize>load<i32>(layout + 4 + ((2 * rank - 1) << 2));
  const sa = <usize>load<i32>(layout + 4 + ((3 * rank - 1) << 2));
  const sb = <usize>load<i32>(layout + 4 + ((4 * rank - 1) << 2));
  const rows = rowCount(layout);
  for (let r: usize = 0; r < rows; r++) {
    const cr = c + (rowOffset(layout, r, 0) << 2), ar = a + (rowOffset(layout, r, 1) << 2), br = b + (rowOffset(layout, r, 2) << 2);
    const o = out + ((r * n) << 2);
    for (let i: usize = 0; i < n; i++) {
      const cv = load<f32>(cr + ((i * sc) << 2));
      store<f32>(o + (i << 2), cv != 0 ? load<f32>(ar + ((i * sa) << 2)) : load<f32>(br + ((i * sb) << 2)));
    }
  }
}

/** out (row-major over the layout's dims) = x read at the layout's strides: Transpose and BroadcastTo. */
export function stridedCopy(x: usize, out: usize, layout: usize): void {
  const rank = load<i32>(layout);
  const n = <usize>load<i32>(layout + 4 + ((rank - 1) << 2));
  const s = <usize>load<i32>(layout + 4 + ((2 * rank - 1) << 2));
  const rows = rowCount(layout);
  for (let r: usize = 0; r < rows; r++) {
    const src = x + (rowOffset(layout, r, 0) << 2);
    const dst = out + ((r * n) << 2);
    if (s == 1) memory.copy(dst, src, n << 2);
    else if (s == 0) {
      const v = v128.load32_splat(src);
      let i: usize = 0;
      for (; i + 4 <= n; i += 4) v128.store(dst + (i << 2), v);
      for (; i < n; i++) store<f32>(dst + (i << 2), load<f32>(src));
    } else for (let i: usize = 0; i < n; i++) store<f32>(dst + (i << 2), load<f32>(src + ((i * s) << 2)));
  }
}

/**
 * Sum (isMax 0) or Max over axes: layout [rank, x dims…, output strides (0 on reduced axes)…].
 * Sums accumulate in double in `acc` (one f64 per output); Max propagates NaN.
 */
export function reduce(isMax: i32, x: usize, out: usize, outSize: usize, acc: usize, layout: usize): void {
  const rank = load<i32>(layout);
  const n = <usize>load<i32>(layout + 4 + ((rank - 1) << 2));
  const so = <usize>load<i32>(layout + 4 + ((2 * rank - 1) << 2));
  const rows = rowCount(layout);
  if (isMax) for (let i: usize = 0; i < outSize; i++) store<f32>(out + (i << 2), -Infinity);
  else memory.fill(acc, 0, outSize << 3);
  for (let r: usize = 0; r < rows; r++) {
    const src = x + ((r * n) << 2);
    const o = rowOffset(layout, r, 0);
    if (isMax) {
      for (let i: usize = 0; i < n; i++) {
        const p = out + ((o + i * so) << 2);
        const a = load<f32>(p), v = load<f32>(src + (i << 2));
        if (a == a && (v > a || v != v)) store<f32>(p, v);
      }
    } else if (so == 0) {
      let s: f64 = 0;
      let i: usize = 0;
      let v2 = f64x2.splat(0);
      for (; i + 4 <= n; i += 4) {
        const v = v128.load(src + (i << 2));
        v2 = f64x2.add(v2, f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0))));
      }
      s = f64x2.extract_lane(v2, 0) + f64x2.extract_lane(v2, 1);
      for (; i < n; i++) s += <f64>load<f32>(src + (i << 2));
      store<f64>(acc + (o << 3), load<f64>(acc + (o << 3)) + s);
    } else {
      for (let i: usize = 0; i < n; i++) {
        const p = acc + ((o + i * so) << 3);
        store<f64>(p, load<f64>(p) + <f64>load<f32>(src + (i << 2)));
      }
    }
  }
  if (!isMax) for (let i: usize = 0; i < outSize; i++) store<f32>(out + (i << 2), <f32>load<f64>(acc + (i << 3)));
}
