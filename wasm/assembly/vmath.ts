// Vector math on f32x4 shared by the kernels: exp, log, log1p, tanh, sigmoid, and the fused
// multiply-add, which is the relaxed-SIMD instruction in the relaxed build and mul + add otherwise.

// @ts-ignore: decorator
@inline export const RELAXED: bool = ASC_FEATURE_RELAXED_SIMD;

// @ts-ignore: decorator
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (RELAXED) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}


// Vector constants are read from these tables with a broadcast load. V8 (x64) rebuilds a
// v128.const at every use inside a loop from 64-bit immediates moved through a general register
// (three instructions, one a GPR→XMM move), and nothing hoists it out of the loop; a broadcast load
// is one instruction.
const F = memory.data<f32>([
  1.44269504, -127, 128, -0.693359375, 2.12194440e-4, 0.000198412698, 0.00138888889, 0.00833333333,
  0.0416666667, 0.166666667, 0.5, 1, -87.336, 88.7228, Infinity, -Infinity,
  NaN, 1.17549435e-38, 8388608.0, 1.41421356, 0.111111111, 0.142857143, 0.2, 0.333333333,
  0.693359375, -2.12194440e-4, 0.0000248015873, 0.25, 2, -1, 12582912.0,
]);
export const LOG2E = 0, M127 = 1, P128 = 2, NLN2_HI = 3, LN2_LO = 4, C5040 = 5, C720 = 6, C120 = 7;
export const C24 = 8, C6 = 9, HALF = 10, ONE = 11, EXP_UNDER = 12, EXP_OVER = 13, INF = 14, NINF = 15;
export const QNAN = 16, MIN_NORMAL = 17, TWO23 = 18, SQRT2 = 19, C9 = 20, C7 = 21, C5 = 22, C3 = 23;
export const LN2_HI = 24, NLN2_LO = 25, C40320 = 26, QUARTER = 27, TWO = 28, MONE = 29, ROUND_MAGIC = 30;
const B = memory.data<i32>([127, 0x007fffff, 0x3f800000, 0x80000000 as i32, 23, 1, 0x4b400000]);
export const I127 = 0, MANT = 1, ONE_BITS = 2, SIGN = 3, I23 = 4, I1 = 5, MAGIC_BITS = 6;

/** Entry `i` of the float table in all four lanes. */
// @ts-ignore: decorator
@inline export function k(i: i32): v128 {
  return v128.load32_splat(F + (<usize>i << 2));
}

/** Entry `i` of the integer table in all four lanes. */
// @ts-ignore: decorator
@inline export function ki(i: i32): v128 {
  return v128.load32_splat(B + (<usize>i << 2));
}

/** e^x: 2^n · e^r with n = round(x·log₂e), r = x − n·ln2 (Cody–Waite split), Taylor to r⁷ (|r| ≤ ln2/2, error < 1e-8). */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  // n rounded to nearest even by adding 1.5·2^23, whose low mantissa bits then hold n (clamped first: pmin/pmax are one instruction each).
  const t = f32x4.add(f32x4.pmin(f32x4.pmax(f32x4.mul(x, k(LOG2E)), k(M127)), k(P128)), k(ROUND_MAGIC));
  const n = f32x4.sub(t, k(ROUND_MAGIC));
  let r = fma(n, k(NLN2_HI), x);
  r = fma(n, k(LN2_LO), r);
  let p = fma(r, k(C5040), k(C720));
  p = fma(r, p, k(C120));
  p = fma(r, p, k(C24));
  p = fma(r, p, k(C6));
  p = fma(r, p, k(HALF));
  p = fma(r, p, k(ONE));
  p = fma(r, p, k(ONE));
  // 2^n as 2^⌊n/2⌋·2^(n−⌊n/2⌋), each built in the exponent field, so n = 128 (x near 88.7) stays finite.
  const ni = i32x4.sub(t, ki(MAGIC_BITS));
  const n1 = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(n1, ki(I127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, n1), ki(I127)), 23);
  let y = f32x4.mul(f32x4.mul(p, s1), s2);
  y = v128.andnot(y, f32x4.lt(x, k(EXP_UNDER)));
  return v128.bitselect(k(INF), y, f32x4.gt(x, k(EXP_OVER)));
}

/** ln x = e·ln2 + ln m with m ∈ [√½, √2): ln m = 2·atanh(s), s = (m − 1)/(m + 1), series to s⁹ (|s| ≤ 0.172). */
export function vlog(x: v128): v128 {
  // Subnormals are scaled by 2^23 first so their exponent field is meaningful.
  const tiny = f32x4.lt(x, k(MIN_NORMAL));
  const xs = v128.bitselect(f32x4.mul(x, k(TWO23)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), ki(I127));
  e = v128.bitselect(i32x4.sub(e, ki(I23)), e, tiny);
  let m = v128.or(v128.and(xs, ki(MANT)), ki(ONE_BITS));
  const big = f32x4.gt(m, k(SQRT2));
  m = v128.bitselect(f32x4.mul(m, k(HALF)), m, big);
  e = i32x4.sub(e, big); // big lanes are −1
  return logTail(x, m, e);
}

/** ln x from m ∈ [√½, √2) and the exponent e, with the special values of x. */
// @ts-ignore: decorator
@inline function logTail(x: v128, m: v128, e: v128): v128 {
  const s = f32x4.div(f32x4.sub(m, k(ONE)), f32x4.add(m, k(ONE)));
  const z = f32x4.mul(s, s);
  let p = fma(z, k(C9), k(C7));
  p = fma(z, p, k(C5));
  p = fma(z, p, k(C3));
  const lnm = fma(f32x4.mul(s, z), p, s);
  const ef = f32x4.convert_i32x4_s(e);
  let y = fma(ef, k(LN2_HI), fma(ef, k(NLN2_LO), f32x4.add(lnm, lnm)));
  y = v128.bitselect(k(NINF), y, f32x4.eq(x, splat(0)));
  y = v128.bitselect(k(QNAN), y, f32x4.lt(x, splat(0)));
  y = v128.bitselect(k(INF), y, f32x4.eq(x, k(INF)));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

/** ln(1 + x) = ln(u)·x/(u − 1) with u = 1 + x (exact where u = 1 is not), which keeps small x accurate. */
export function vlog1p(x: v128): v128 {
  const u = f32x4.add(x, k(ONE));
  const um1 = f32x4.sub(u, k(ONE));
  let y = f32x4.mul(vlog(u), f32x4.div(x, um1));
  y = v128.bitselect(x, y, f32x4.eq(u, k(ONE)));
  y = v128.bitselect(k(NINF), y, f32x4.eq(x, k(MONE)));
  return v128.bitselect(k(INF), y, f32x4.eq(x, k(INF)));
}

/** ln(1 + e) for e ∈ [0, 1] (the softplus tail e = e^−|z|): u = 1 + e is normal and finite, so no special cases. */
// @ts-ignore: decorator
@inline export function vlog1pUnit(x: v128): v128 {
  const u = f32x4.add(x, k(ONE));
  let m = v128.or(v128.and(u, ki(MANT)), ki(ONE_BITS));
  let e = i32x4.sub(i32x4.shr_u(u, 23), ki(I127));
  const big = f32x4.gt(m, k(SQRT2));
  m = v128.bitselect(f32x4.mul(m, k(HALF)), m, big);
  e = i32x4.sub(e, big);
  const s = f32x4.div(f32x4.sub(m, k(ONE)), f32x4.add(m, k(ONE)));
  const z = f32x4.mul(s, s);
  let p = fma(z, k(C9), k(C7));
  p = fma(z, p, k(C5));
  p = fma(z, p, k(C3));
  const lnm = fma(f32x4.mul(s, z), p, s);
  const ef = f32x4.convert_i32x4_s(e);
  const lnu = fma(ef, k(LN2_HI), fma(ef, k(NLN2_LO), f32x4.add(lnm, lnm)));
  const um1 = f32x4.sub(u, k(ONE));
  // x·ln(u)/(u − 1) corrects the rounding of u; where u = 1, ln(1 + x) = x.
  return v128.bitselect(x, f32x4.mul(lnu, f32x4.div(x, um1)), f32x4.eq(um1, splat(0)));
}

/** e^y − 1 for |y| < 0.5 by its Taylor series (error below 1e-8 relative). */
// @ts-ignore: decorator
@inline function vexpm1Small(y: v128): v128 {
  let p = fma(y, k(C40320), k(C5040));
  p = fma(y, p, k(C720));
  p = fma(y, p, k(C120));
  p = fma(y, p, k(C24));
  p = fma(y, p, k(C6));
  p = fma(y, p, k(HALF));
  p = fma(y, p, k(ONE));
  return f32x4.mul(y, p);
}

/** tanh x = sign(x)·(1 − 2/(e^{2|x|} + 1)), and expm1(2|x|)/(expm1(2|x|) + 2) for |x| < 1/4 (no cancellation). */
export function vtanh(x: v128): v128 {
  const a = f32x4.abs(x);
  const y = f32x4.add(a, a);
  const em = vexpm1Small(y);
  const small = f32x4.div(em, f32x4.add(em, k(TWO)));
  const large = f32x4.sub(k(ONE), f32x4.div(k(TWO), f32x4.add(vexp(y), k(ONE))));
  const t = v128.bitselect(small, large, f32x4.lt(a, k(QUARTER)));
  return v128.or(t, v128.and(x, ki(SIGN)));
}

export function vsigmoid(x: v128): v128 {
  return f32x4.div(k(ONE), f32x4.add(k(ONE), vexp(f32x4.neg(x))));
}

/** max(x, 0) with NaN kept, as the reference's ReLU. */
// @ts-ignore: decorator
@inline export function vrelu(x: v128): v128 {
  return v128.bitselect(splat(0), x, f32x4.le(x, splat(0)));
}

/** erf by the series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) in double (positive terms, no cancellation). */
export function erf(x: f64): f64 {
  const ax = Math.abs(x);
  if (ax > 6) return x > 0 ? 1 : -1;
  if (ax != ax) return x;
  let term = ax;
  let total = ax;
  for (let n = 1; n < 200 && term > 1e-17 * total; n++) {
    term *= (2 * ax * ax) / <f64>(2 * n + 1);
    total += term;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-ax * ax) * total;
  return x < 0 ? -r : r;
}
