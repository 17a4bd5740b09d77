// The parts of FusedDenseGrad around its two GEMMs: dz = dy ⊙ act'(y), and db = column sums of dz.
import { k, ONE, splat } from './vmath';

const LINEAR = 0, RELU = 1, SIGMOID = 2, TANH = 3;

// @ts-ignore: decorator
@inline function slope(act: i32, y: v128): v128 {
  if (act == RELU) return v128.and(f32x4.gt(y, splat(0)), k(ONE));
  if (act == SIGMOID) return f32x4.mul(y, f32x4.sub(k(ONE), y));
  return f32x4.sub(k(ONE), f32x4.mul(y, y));
}

// @ts-ignore: decorator
@inline function slopeLoop(act: i32, dy: usize, y: usize, dz: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) v128.store(dz + i * 4, f32x4.mul(v128.load(dy + i * 4), slope(act, v128.load(y + i * 4))));
  for (; i < n; i++) store<f32>(dz + i * 4, f32x4.extract_lane(f32x4.mul(f32x4.splat(load<f32>(dy + i * 4)), slope(act, f32x4.splat(load<f32>(y + i * 4)))), 0));
}

/** dz = dy ⊙ act'(y), act' read from the output y (relu: y > 0, sigmoid: y(1 − y), tanh: 1 − y²). */
export function activationGrad(act: i32, dy: usize, y: usize, dz: usize, n: usize): void {
  if (act == RELU) slopeLoop(RELU, dy, y, dz, n);
  else if (act == SIGMOID) slopeLoop(SIGMOID, dy, y, dz, n);
  else if (act == TANH) slopeLoop(TANH, dy, y, dz, n);
  else memory.copy(dz, dy, n * 4);
}

/** db[j] = Σ_i dz[i][j] over `rows` rows of `cols`, four columns at a time. */
export function columnSums(dz: usize, rows: usize, cols: usize, db: usize): void {
  let j: usize = 0;
  for (; j + 4 <= cols; j += 4) {
    let s = splat(0);
    for (let i: usize = 0; i < rows; i++) s = f32x4.add(s, v128.load(dz + (i * cols + j) * 4));
    v128.store(db + j * 4, s);
  }
  for (; j < cols; j++) {
    let s: f32 = 0;
    for (let i: usize = 0; i < rows; i++) s += load<f32>(dz + (i * cols + j) * 4);
    store<f32>(db + j * 4, s);
  }
}
