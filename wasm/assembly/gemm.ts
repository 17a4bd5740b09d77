// Packed SGEMM C (m×n) = op(A)·op(B), row-major, with an optional epilogue act(C + bias[col]).
// BLIS-style: B packed in kc×NR slivers, A in MR×kc slivers, both zero-padded at the edges, so the
// four transpose combinations differ only in how they pack and run the same 4×8 micro-kernel.
// A thread takes a rectangle of C and packs its own panels; the K sum is never split, so results
// do not depend on the number of threads.
import { fma, splat, vrelu, vsigmoid, vtanh } from './vmath';

export const MR: usize = 4;
export const NR: usize = 8;
export const KC: usize = 256;
export const MC: usize = 96;
export const NC: usize = 512;
/** Bytes of scratch each thread needs: packed A, packed B, an edge tile and an edge bias. */
export const SCRATCH_BYTES: usize = (MC * KC + KC * NC + MR * NR + NR) * 4;

const ACCUMULATE = 1;
const EPILOGUE = 2;
const LINEAR = 0, RELU = 1, SIGMOID = 2, TANH = 3;

// @ts-ignore: decorator
@inline function activate(act: i32, v: v128): v128 {
  if (act == RELU) return vrelu(v);
  if (act == SIGMOID) return vsigmoid(v);
  if (act == TANH) return vtanh(v);
  return v;
}

// @ts-ignore: decorator
@inline function storeRow(c: usize, lo: v128, hi: v128, mode: i32, bias: usize, act: i32): void {
  if (mode & ACCUMULATE) {
    lo = f32x4.add(lo, v128.load(c));
    hi = f32x4.add(hi, v128.load(c, 16));
  }
  if (mode & EPILOGUE) {
    if (bias) {
      lo = f32x4.add(lo, v128.load(bias));
      hi = f32x4.add(hi, v128.load(bias, 16));
    }
    lo = activate(act, lo);
    hi = activate(act, hi);
  }
  v128.store(c, lo);
  v128.store(c, hi, 16);
}

/**
 * The 4×8 register tile: eight f32x4 sums over kc steps of packed A (4 per step) and B (8 per step).
 * V8 gives wasm 15 vector registers on x64 and loads every broadcast of a step before its FMAs, so a
 * tile needs sums + B vectors + A broadcasts ≤ 15: 6×8 spilled four sums to the stack in every
 * step, 5×8 two (measured in the code V8 printed with --print-wasm-code); 4×8 spills none.
 */
function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, mode: i32, bias: usize, act: i32): void {
  let c00 = splat(0), c01 = splat(0), c10 = splat(0), c11 = splat(0), c20 = splat(0), c21 = splat(0);
  let c30 = splat(0), c31 = splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = fma(a, b0, c00); c01 = fma(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = fma(a, b0, c10); c11 = fma(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = fma(a, b0, c20); c21 = fma(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = fma(a, b0, c30); c31 = fma(a, b1, c31);
    pa += MR * 4;
    pb += NR * 4;
  }
  storeRow(c, c00, c01, mode, bias, act);
  storeRow(c + ldc, c10, c11, mode, bias, act);
  storeRow(c + 2 * ldc, c20, c21, mode, bias, act);
  storeRow(c + 3 * ldc, c30, c31, mode, bias, act);
}

/**
 * Four rows of four floats (r0…r3, each four consecutive k of one row) stored as four k-major
 * groups: dst + q·stride holds (r0[q], r1[q], r2[q], r3[q]). Used by the packers whose source runs
 * along k (A untransposed, B transposed), which would otherwise copy one float at a time.
 */
// @ts-ignore: decorator
@inline function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = f32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = f32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, f32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, f32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * stride, f32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * stride, f32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/** Pack rows [i0, i0+mc) × k-range [p0, p0+kc) of op(A) into MR-row slivers (p-major inside each). */
function packA(a: usize, transA: bool, m: usize, k: usize, i0: usize, mc: usize, p0: usize, kc: usize, dst: usize): void {
  for (let ir: usize = 0; ir < mc; ir += MR) {
    const rows = min<usize>(MR, mc - ir);
    const sliver = dst + ir * kc * 4;
    if (transA) {
      // op(A)[i][p] = A[p][i]: the MR values of one p are contiguous.
      for (let p: usize = 0; p < kc; p++) {
        const src = a + ((p0 + p) * m + i0 + ir) * 4;
        const d = sliver + p * MR * 4;
        if (rows == MR) v128.store(d, v128.load(src));
        else for (let r: usize = 0; r < MR; r++) store<f32>(d + r * 4, r < rows ? load<f32>(src + r * 4) : 0);
      }
    } else if (rows == MR) {
      const s0 = a + ((i0 + ir) * k + p0) * 4;
      const ld = k * 4;
      let p: usize = 0;
      for (; p + 4 <= kc; p += 4) {
        const src = s0 + p * 4;
        transpose4(v128.load(src), v128.load(src + ld), v128.load(src + 2 * ld), v128.load(src + 3 * ld), sliver + p * MR * 4, MR * 4);
      }
      for (; p < kc; p++) for (let r: usize = 0; r < MR; r++) store<f32>(sliver + (p * MR + r) * 4, load<f32>(s0 + r * ld + p * 4));
    } else {
      for (let r: usize = 0; r < MR; r++) {
        const d = sliver + r * 4;
        if (r < rows) {
          const src = a + ((i0 + ir + r) * k + p0) * 4;
          for (let p: usize = 0; p < kc; p++) store<f32>(d + p * MR * 4, load<f32>(src + p * 4));
        } else for (let p: usize = 0; p < kc; p++) store<f32>(d + p * MR * 4, 0);
      }
    }
  }
}

/** Pack k-range [p0, p0+kc) × columns [j0, j0+nc) of op(B) into NR-column slivers. */
function packB(b: usize, transB: bool, n: usize, k: usize, p0: usize, kc: usize, j0: usize, nc: usize, dst: usize): void {
  for (let jr: usize = 0; jr < nc; jr += NR) {
    const cols = min<usize>(NR, nc - jr);
    const sliver = dst + jr * kc * 4;
    if (!transB) {
      for (let p: usize = 0; p < kc; p++) {
        const src = b + ((p0 + p) * n + j0 + jr) * 4;
        const d = sliver + p * NR * 4;
        if (cols == NR) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
        } else for (let c: usize = 0; c < NR; c++) store<f32>(d + c * 4, c < cols ? load<f32>(src + c * 4) : 0);
      }
    } else if (cols == NR) {
      // op(B)[p][j] = B[j][p]: four columns' runs of k at a time, transposed in registers.
      const s0 = b + ((j0 + jr) * k + p0) * 4;
      const ld = k * 4;
      let p: usize = 0;
      for (; p + 4 <= kc; p += 4) {
        const src = s0 + p * 4;
        const d = sliver + p * NR * 4;
        transpose4(v128.load(src), v128.load(src + ld), v128.load(src + 2 * ld), v128.load(src + 3 * ld), d, NR * 4);
        const src4 = src + 4 * ld;
        transpose4(v128.load(src4), v128.load(src4 + ld), v128.load(src4 + 2 * ld), v128.load(src4 + 3 * ld), d + 16, NR * 4);
      }
      for (; p < kc; p++) for (let c: usize = 0; c < NR; c++) store<f32>(sliver + (p * NR + c) * 4, load<f32>(s0 + c * ld + p * 4));
    } else {
      // op(B)[p][j] = B[j][p]: read each column's run of kc values once.
      for (let c: usize = 0; c < NR; c++) {
        const d = sliver + c * 4;
        if (c < cols) {
          const src = b + ((j0 + jr + c) * k + p0) * 4;
          for (let p: usize = 0; p < kc; p++) store<f32>(d + p * NR * 4, load<f32>(src + p * 4));
        } else for (let p: usize = 0; p < kc; p++) store<f32>(d + p * NR * 4, 0);
      }
    }
  }
}

/** C[i0..i1) × [j0..j1) with this thread's scratch. */
export function gemmRect(
  transA: bool, transB: bool, m: usize, n: usize, k: usize, a: usize, b: usize, c: usize, bias: usize, act: i32,
  i0: usize, i1: usize, j0: usize, j1: usize, scratch: usize,
): void {
  const pa = scratch;
  const pb = pa + MC * KC * 4;
  const tile = pb + KC * NC * 4;
  const tileBias = tile + MR * NR * 4;
  const ldc = n * 4;
  if (k == 0) {
    for (let i = i0; i < i1; i++) memory.fill(c + (i * n + j0) * 4, 0, (j1 - j0) * 4);
  }
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min<usize>(NC, j1 - jc);
    for (let pc: usize = 0; pc < k || (k == 0 && pc == 0); pc += KC) {
      const kc = min<usize>(KC, k - pc);
      const mode = (pc > 0 || k == 0 ? ACCUMULATE : 0) | (pc + kc >= k ? EPILOGUE : 0);
      packB(b, transB, n, k, pc, kc, jc, nc, pb);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min<usize>(MC, i1 - ic);
        packA(a, transA, m, k, ic, mc, pc, kc, pa);
        for (let jr: usize = 0; jr < nc; jr += NR) {
          const cols = min<usize>(NR, nc - jr);
          const bj = bias ? bias + (jc + jr) * 4 : 0;
          for (let ir: usize = 0; ir < mc; ir += MR) {
            const rows = min<usize>(MR, mc - ir);
            const cp = c + ((ic + ir) * n + jc + jr) * 4;
            const sa = pa + ir * kc * 4, sb = pb + jr * kc * 4;
            if (rows == MR && cols == NR) {
              microKernel(<i32>kc, sa, sb, cp, ldc, mode, bj, act);
              continue;
            }
            // An edge tile goes through the scratch tile; only its valid part is read and written.
            for (let r: usize = 0; r < MR; r++) for (let q: usize = 0; q < NR; q++) {
              store<f32>(tile + (r * NR + q) * 4, r < rows && q < cols && (mode & ACCUMULATE) ? load<f32>(cp + r * ldc + q * 4) : 0);
            }
            let tb: usize = 0;
            if (bj) {
              tb = tileBias;
              for (let q: usize = 0; q < NR; q++) store<f32>(tb + q * 4, q < cols ? load<f32>(bj + q * 4) : 0);
            }
            microKernel(<i32>kc, sa, sb, tile, NR * 4, mode, tb, act);
            for (let r: usize = 0; r < rows; r++) memory.copy(cp + r * ldc, tile + r * NR * 4, cols * 4);
          }
        }
      }
      if (k == 0) break;
    }
  }
}
