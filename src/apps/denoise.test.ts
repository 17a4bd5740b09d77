import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../index.js';
import { corruptRows, parseNoise, quality } from './denoise.js';

await ak.setBackend('reference');

test('noise specifications: short and long names, levels checked', () => {
  assert.deepEqual(parseNoise('gaussian:0.5'), { kind: 'gaussian', level: 0.5 });
  assert.deepEqual(parseNoise('mask:0.3'), { kind: 'masking', level: 0.3 });
  assert.deepEqual(parseNoise('salt-and-pepper:0.1'), { kind: 'salt-and-pepper', level: 0.1 });
  assert.deepEqual(parseNoise('sp:0'), { kind: 'salt-and-pepper', level: 0 });
  assert.throws(() => parseNoise('gauss:0.5'), /'gauss:0\.5' is not a noise: use gaussian:STD, mask:P or sp:P/);
  assert.throws(() => parseNoise('gaussian'), /is not a noise/);
  assert.throws(() => parseNoise('gaussian:-1'), /must be a number ≥ 0/);
  assert.throws(() => parseNoise('mask:1'), /is a probability and must be < 1/);
});

test('corruption is the denoiser\'s: seeded, at the asked rate, clipped when asked', () => {
  const x = new Float32Array(20000).fill(0.5);
  const masked = corruptRows(x, [100], parseNoise('mask:0.3'), true, 7);
  const zeros = masked.filter((v) => v === 0).length / x.length;
  assert.ok(Math.abs(zeros - 0.3) < 0.02, `masked share ${zeros}`);
  assert.deepEqual(corruptRows(x, [100], parseNoise('mask:0.3'), true, 7), masked, 'same seed, same noise');
  const sp = corruptRows(x, [100], parseNoise('sp:0.2'), true, 1);
  assert.ok(Math.abs(sp.filter((v) => v === 1).length / x.length - 0.1) < 0.02, 'half of the corrupted values are salt');
  const g = corruptRows(x, [100], parseNoise('gaussian:1'), false, 1);
  assert.ok(g.some((v) => v > 1) && g.some((v) => v < 0), 'unclipped Gaussian noise leaves [0, 1]');
  assert.ok(corruptRows(x, [100], parseNoise('gaussian:1'), true, 1).every((v) => v >= 0 && v <= 1));
});

test('PSNR is 10·log10(peak² / MSE)', () => {
  const clean = Float32Array.of(0, 1, 0, 1);
  const q = quality(Float32Array.of(0.1, 0.9, 0.1, 0.9), clean, 1);
  assert.ok(Math.abs(q.mse - 0.01) < 1e-7);
  assert.ok(Math.abs(q.psnr - 20) < 1e-4);
  assert.equal(quality(clean, clean, 1).psnr, Infinity);
});
