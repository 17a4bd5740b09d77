// Mean losses and their gradients in one pass: BCE with logits (kind 0) and MSE (kind 1).
// Sums run in f32x4 over blocks of 64 elements and are added up in double.
import { fma, k, ONE, splat, vexp, vlog1pUnit } from './vmath';

const BCE = 0;

/** softplus(z) − t·z = max(z, 0) − z·t + log1p(e), with e = e^−|z| shared with the gradient. */
// @ts-ignore: decorator
@inline function bceTerm(z: v128, t: v128, e: v128): v128 {
  return f32x4.add(f32x4.sub(f32x4.max(z, splat(0)), f32x4.mul(z, t)), vlog1pUnit(e));
}

/** σ(z) from e = e^−|z| (which never overflows): 1/(1 + e) for z ≥ 0 and e/(1 + e) below. */
// @ts-ignore: decorator
@inline function sigmoidStable(z: v128, e: v128): v128 {
  const inv = f32x4.div(k(ONE), f32x4.add(k(ONE), e));
  return v128.bitselect(inv, f32x4.mul(e, inv), f32x4.ge(z, splat(0)));
}

/**
 * value (when not 0) = mean loss; grad (when not 0) = scale·dloss/dz, scale = dy/N for BCE, 2·dy/N for
 * MSE. The tail of fewer than four elements is padded with a neutral pair.
 */
export function meanLoss(kind: i32, z: usize, t: usize, n: usize, value: usize, grad: usize, dy: f32): void {
  const scale = kind == BCE ? dy / <f32>n : (2 * dy) / <f32>n;
  const vs = splat(scale);
  let total: f64 = 0;
  let block = splat(0);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const zv = v128.load(z + i * 4), tv = v128.load(t + i * 4);
    if (kind == BCE) {
      const e = vexp(f32x4.neg(f32x4.abs(zv)));
      if (value) block = f32x4.add(block, bceTerm(zv, tv, e));
      if (grad) v128.store(grad + i * 4, f32x4.mul(vs, f32x4.sub(sigmoidStable(zv, e), tv)));
    } else {
      const d = f32x4.sub(zv, tv);
      if (value) block = fma(d, d, block);
      if (grad) v128.store(grad + i * 4, f32x4.mul(vs, d));
    }
    if ((i & 255) == 252) {
      total += <f64>f32x4.extract_lane(block, 0) + <f64>f32x4.extract_lane(block, 1) + <f64>f32x4.extract_lane(block, 2) + <f64>f32x4.extract_lane(block, 3);
      block = splat(0);
    }
  }
  total += <f64>f32x4.extract_lane(block, 0) + <f64>f32x4.extract_lane(block, 1) + <f64>f32x4.extract_lane(block, 2) + <f64>f32x4.extract_lane(block, 3);
  for (; i < n; i++) {
    const zv = f32x4.splat(load<f32>(z + i * 4)), tv = f32x4.splat(load<f32>(t + i * 4));
    if (kind == BCE) {
      const e = vexp(f32x4.neg(f32x4.abs(zv)));
      total += <f64>f32x4.extract_lane(bceTerm(zv, tv, e), 0);
      if (grad) store<f32>(grad + i * 4, f32x4.extract_lane(f32x4.mul(vs, f32x4.sub(sigmoidStable(zv, e), tv)), 0));
    } else {
      const d = f32x4.extract_lane(f32x4.sub(zv, tv), 0);
      total += <f64>d * <f64>d;
      if (grad) store<f32>(grad + i * 4, scale * d);
    }
  }
  if (value) store<f32>(value, <f32>(total / <f64>n));
}
