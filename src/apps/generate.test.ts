import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latentPath } from './generate.js';

const norm = (v: ArrayLike<number>): number => Math.hypot(...Array.from(v));

test('a linear path runs straight from one code to the other, ends included', () => {
  const p = latentPath(Float32Array.of(0, 2), Float32Array.of(4, -2), 5, 'linear');
  assert.deepEqual([...p], [0, 2, 1, 1, 2, 0, 3, -1, 4, -2]);
});

test('slerp keeps to the great circle: the norm stays when both ends have it, and the angle moves evenly', () => {
  const a = Float32Array.of(3, 0, 0), b = Float32Array.of(0, 0, 3);
  const p = latentPath(a, b, 7, 'slerp');
  for (let s = 0; s < 7; s++) {
    const z = p.subarray(s * 3, s * 3 + 3);
    assert.ok(Math.abs(norm(z) - 3) < 1e-5, `step ${s}: norm ${norm(z)}`);
    assert.ok(Math.abs(Math.atan2(z[2]!, z[0]!) - (s / 6) * (Math.PI / 2)) < 1e-5, `step ${s}: angle`);
  }
  assert.deepEqual([...p.subarray(0, 3)], [...a]);
  assert.ok(norm(p.subarray(18).map((v, i) => v - b[i]!)) < 1e-5);
  const linear = latentPath(a, b, 7, 'linear');
  assert.ok(norm(linear.subarray(9, 12)) < 3 - 0.8, 'the straight path cuts inside the circle');
});

test('slerp between parallel codes falls back to the straight line; bad arguments are refused', () => {
  const p = latentPath(Float32Array.of(1, 1), Float32Array.of(2, 2), 3, 'slerp');
  assert.deepEqual([...p], [1, 1, 1.5, 1.5, 2, 2]);
  assert.throws(() => latentPath(Float32Array.of(1), Float32Array.of(1, 2), 3, 'linear'), /codes of 1 and 2 values/);
  assert.throws(() => latentPath(Float32Array.of(1), Float32Array.of(2), 1, 'linear'), /steps must be an integer ≥ 2/);
});
