/** `aekit export` end to end: a model trained by the CLI on a normalised table, exported, run by ONNX Runtime, gives what `aekit encode` and `reconstruct` write. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { parseNpy } from '../src/data/npy.js';
import { aekit, tempDir } from './helpers.js';

test('aekit export: the encoder and full graphs match aekit encode and reconstruct (normalised CSV, 1e-5)', async () => {
  const dir = tempDir('aekit-export-');
  const rows = Array.from({ length: 60 }, (_, i) => Array.from({ length: 6 }, (_, j) => (Math.sin(i * 0.7 + j) * (j + 1) + j * 3).toFixed(4)));
  const csv = join(dir, 'tab.csv');
  writeFileSync(csv, ['a,b,c,d,e,f', ...rows.map((r) => r.join(','))].join('\n') + '\n');
  const run = join(dir, 'run');
  const t = aekit(['train', '--data', csv, '--normalize', 'standard', '--loss', 'mse', '--output-activation', 'linear', '--hidden', '8', '--latent-dim', '2', '--epochs', '2', '--batch-size', '20', '--out', run, '--quiet']);
  assert.equal(t.status, 0, t.stderr);
  const x = Float32Array.from(rows.flat().map(Number));
  for (const [part, command, output] of [['encoder', 'encode', 'z'], ['full', 'reconstruct', 'x_hat']] as const) {
    const onnx = join(dir, `${part}.onnx`);
    const e = aekit(['export', run, '--format', 'onnx', '--part', part, '--out', onnx, '--quiet']);
    assert.equal(e.status, 0, e.stderr);
    const npy = join(dir, `${command}.npy`);
    const r = aekit([command, run, '--data', csv, '--out', npy, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const want = parseNpy(readFileSync(npy), npy).data;
    const session = await ort.InferenceSession.create(onnx);
    const got = (await session.run({ x: new ort.Tensor('float32', x, [60, 6]) }))[output]!.data as Float32Array;
    assert.equal(got.length, want.length);
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-5 * Math.max(1, Math.abs(want[i]!)), `${part} value ${i}: ${got[i]} vs ${want[i]}`);
    await session.release();
  }
  const bad = aekit(['export', run, '--part', 'middle', '--out', join(dir, 'm.onnx')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--part/);
});
