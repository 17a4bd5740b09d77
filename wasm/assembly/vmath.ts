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

/** e^x: 2^n · e^r with n = round(x·log₂e), r = x − n·ln2 (Cody–Waite split), Taylor to r⁷ (|r| ≤ ln2/2, error < 1e-8). */
export function vexp(x: v128): v128 {
  let n = f32x4.nearest(f32x4.mul(x, splat(1.44269504)));
  n = f32x4.min(f32x4.max(n, splat(-127)), splat(128));
  let r = fma(n, splat(-0.693359375), x);
  r = fma(n, splat(2.12194440e-4), r);
  let p = fma(r, splat(1.0 / 5040.0), splat(1.0 / 720.0));
  p = fma(r, p, splat(1.0 / 120.0));
  p = fma(r, p, splat(1.0 / 24.0));
  p = fma(r, p, splat(1.0 / 6.0));
  p = fma(r, p, splat(0.5));
  p = fma(r, p, splat(1.0));
  p = fma(r, p, splat(1.0));
  // 2^n as 2^⌊n/2⌋·2^(n−⌊n/2⌋), each built in the exponent field, so n = 128 (x near 88.7) stays finite.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, n1), i32x4.splat(127)), 23);
  let y = f32x4.mul(f32x4.mul(p, s1), s2);
  y = v128.bitselect(splat(0), y, f32x4.lt(x, splat(-87.336)));
  return v128.bitselect(splat(Infinity), y, f32x4.gt(x, splat(88.7228)));
}

/** ln x = e·ln2 + ln m with m ∈ [√½, √2): ln m = 2·atanh(s), s = (m − 1)/(m + 1), series to s⁹ (|s| ≤ 0.172). */
export function vlog(x: v128): v128 {
  // Subnormals are scaled by 2^23 first so their exponent field is meaningful.
  const tiny = f32x4.lt(x, splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, splat(8388608.0)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(xs, 23), i32x4.splat(127));
  e = v128.bitselect(i32x4.sub(e, i32x4.splat(23)), e, tiny);
  let m = v128.or(v128.and(xs, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  const big = f32x4.gt(m, splat(1.41421356));
  m = v128.bitselect(f32x4.mul(m, splat(0.5)), m, big);
  e = v128.bitselect(i32x4.add(e, i32x4.splat(1)), e, big);
  const s = f32x4.div(f32x4.sub(m, splat(1)), f32x4.add(m, splat(1)));
  const z = f32x4.mul(s, s);
  let p = fma(z, splat(1.0 / 9.0), splat(1.0 / 7.0));
  p = fma(z, p, splat(1.0 / 5.0));
  p = fma(z, p, splat(1.0 / 3.0));
  const lnm = fma(f32x4.mul(s, z), p, s);
  const ef = f32x4.convert_i32x4_s(e);
  let y = fma(ef, splat(0.693359375), fma(ef, splat(-2.12194440e-4), f32x4.add(lnm, lnm)));
  y = v128.bitselect(splat(-Infinity), y, f32x4.eq(x, splat(0)));
  y = v128.bitselect(splat(NaN), y, f32x4.lt(x, splat(0)));
  y = v128.bitselect(splat(Infinity), y, f32x4.eq(x, splat(Infinity)));
  return v128.bitselect(x, y, f32x4.ne(x, x));
}

/** ln(1 + x) = ln(u)·x/(u − 1) with u = 1 + x (exact where u = 1 is not), which keeps small x accurate. */
export function vlog1p(x: v128): v128 {
  const u = f32x4.add(x, splat(1));
  const um1 = f32x4.sub(u, splat(1));
  let y = f32x4.mul(vlog(u), f32x4.div(x, um1));
  y = v128.bitselect(x, y, f32x4.eq(u, splat(1)));
  y = v128.bitselect(splat(-Infinity), y, f32x4.eq(x, splat(-1)));
  return v128.bitselect(splat(Infinity), y, f32x4.eq(x, splat(Infinity)));
}

/** e^y − 1 for |y| < 0.5 by its Taylor series (error below 1e-8 relative). */
function vexpm1Small(y: v128): v128 {
  let p = fma(y, splat(1.0 / 40320.0), splat(1.0 / 5040.0));
  p = fma(y, p, splat(1.0 / 720.0));
  p = fma(y, p, splat(1.0 / 120.0));
  p = fma(y, p, splat(1.0 / 24.0));
  p = fma(y, p, splat(1.0 / 6.0));
  p = fma(y, p, splat(0.5));
  p = fma(y, p, splat(1.0));
  return f32x4.mul(y, p);
}

/** tanh x = sign(x)·(1 − 2/(e^{2|x|} + 1)), and expm1(2|x|)/(expm1(2|x|) + 2) for |x| < 1/4 (no cancellation). */
export function vtanh(x: v128): v128 {
  const a = f32x4.abs(x);
  const y = f32x4.add(a, a);
  const em = vexpm1Small(y);
  const small = f32x4.div(em, f32x4.add(em, splat(2)));
  const large = f32x4.sub(splat(1), f32x4.div(splat(2), f32x4.add(vexp(y), splat(1))));
  const t = v128.bitselect(small, large, f32x4.lt(a, splat(0.25)));
  return v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
}

export function vsigmoid(x: v128): v128 {
  return f32x4.div(splat(1), f32x4.add(splat(1), vexp(f32x4.neg(x))));
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
