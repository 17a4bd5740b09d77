// In-place optimizer updates with PyTorch 1.13's semantics (see src/core/kernels.ts), four at a time.
import { splat } from './vmath';

/** SGD: d = g + wd·p; with momentum v = first ? d : μv + (1 − τ)d and d = nesterov ? d + μv : v; p −= lr·d. */
export function sgdUpdate(p: usize, g: usize, v: usize, n: usize, lr: f32, momentum: f32, dampeningc: f32, weightDecay: f32, nesterov: i32, first: i32): void {
  const vlr = splat(-lr), vwd = splat(weightDecay), vmu = splat(momentum), vdamp = splat(dampeningc);
  for (let i: usize = 0; i < n; i += 4) {
    const lanes = min<usize>(4, n - i);
    let pv = lanes == 4 ? v128.load(p + i * 4) : loadPartial(p + i * 4, lanes);
    let d = lanes == 4 ? v128.load(g + i * 4) : loadPartial(g + i * 4, lanes);
    if (weightDecay != 0) d = f32x4.add(d, f32x4.mul(vwd, pv));
    if (momentum != 0) {
      let bv = first ? d : f32x4.add(f32x4.mul(vmu, lanes == 4 ? v128.load(v + i * 4) : loadPartial(v + i * 4, lanes)), f32x4.mul(vdamp, d));
      storePartial(v + i * 4, bv, lanes);
      d = nesterov ? f32x4.add(d, f32x4.mul(vmu, bv)) : bv;
    }
    storePartial(p + i * 4, f32x4.add(pv, f32x4.mul(vlr, d)), lanes);
  }
}

/** Adam (L2 decay) or AdamW (decoupled): p += (−lr/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε). */
// The host passes 1 − β₁, 1 − β₂ and 1 − lr·λ computed in double: 1 − β₂ taken in float32 from β₂ = 0.999f
// is off by 1.3e-5 relative.
export function adamUpdate(p: usize, g: usize, m: usize, v: usize, n: usize, beta1: f32, beta1c: f32, beta2: f32, beta2c: f32, eps: f32, weightDecay: f32, decoupled: i32, shrinkBy: f32, stepSize: f32, bc2Sqrt: f32): void {
  const vb1 = splat(beta1), vb1c = splat(beta1c), vb2 = splat(beta2), vb2c = splat(beta2c);
  const vstep = splat(-stepSize), vbc2 = splat(bc2Sqrt), veps = splat(eps), vwd = splat(weightDecay), shrink = splat(shrinkBy);
  for (let i: usize = 0; i < n; i += 4) {
    const lanes = min<usize>(4, n - i);
    const full = lanes == 4;
    let pv = full ? v128.load(p + i * 4) : loadPartial(p + i * 4, lanes);
    let gv = full ? v128.load(g + i * 4) : loadPartial(g + i * 4, lanes);
    if (decoupled) pv = f32x4.mul(pv, shrink);
    else if (weightDecay != 0) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    const mv = f32x4.add(f32x4.mul(full ? v128.load(m + i * 4) : loadPartial(m + i * 4, lanes), vb1), f32x4.mul(vb1c, gv));
    const vv = f32x4.add(f32x4.mul(full ? v128.load(v + i * 4) : loadPartial(v + i * 4, lanes), vb2), f32x4.mul(f32x4.mul(vb2c, gv), gv));
    storePartial(m + i * 4, mv, lanes);
    storePartial(v + i * 4, vv, lanes);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc2), veps);
    storePartial(p + i * 4, f32x4.add(pv, f32x4.div(f32x4.mul(vstep, mv), denom)), lanes);
  }
}

/** RMSprop: s = αs + (1 − α)g²; with momentum b = μb + g/(√s + ε), p −= lr·b; else p −= lr·g/(√s + ε). */
export function rmspropUpdate(p: usize, g: usize, sq: usize, buf: usize, n: usize, lr: f32, alpha: f32, alphac: f32, eps: f32, weightDecay: f32, momentum: f32): void {
  const va = splat(alpha), vac = splat(alphac), veps = splat(eps), vwd = splat(weightDecay), vlr = splat(-lr), vmu = splat(momentum);
  for (let i: usize = 0; i < n; i += 4) {
    const lanes = min<usize>(4, n - i);
    const full = lanes == 4;
    const pv = full ? v128.load(p + i * 4) : loadPartial(p + i * 4, lanes);
    let gv = full ? v128.load(g + i * 4) : loadPartial(g + i * 4, lanes);
    if (weightDecay != 0) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
    const sv = f32x4.add(f32x4.mul(full ? v128.load(sq + i * 4) : loadPartial(sq + i * 4, lanes), va), f32x4.mul(f32x4.mul(vac, gv), gv));
    storePartial(sq + i * 4, sv, lanes);
    const avg = f32x4.add(f32x4.sqrt(sv), veps);
    if (momentum > 0) {
      const bv = f32x4.add(f32x4.mul(full ? v128.load(buf + i * 4) : loadPartial(buf + i * 4, lanes), vmu), f32x4.div(gv, avg));
      storePartial(buf + i * 4, bv, lanes);
      storePartial(p + i * 4, f32x4.add(pv, f32x4.mul(vlr, bv)), lanes);
    } else storePartial(p + i * 4, f32x4.add(pv, f32x4.div(f32x4.mul(vlr, gv), avg)), lanes);
  }
}

/** The first `lanes` floats at p, zeros after (the tail of an array whose length is not a multiple of 4). */
function loadPartial(p: usize, lanes: usize): v128 {
  let v = splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

// @ts-ignore: decorator
@inline function storePartial(p: usize, v: v128, lanes: usize): void {
  if (lanes == 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
