import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import * as ak from '../../index.js';
import { gatherRows, makeDataset } from '../../data/index.js';
import type { NativeBackend } from './index.js';

await ak.setBackend('native');
const be = ak.getBackend() as NativeBackend;

test('auto picks native when the addon loads, and describe() names the ISA and threads', async () => {
  const chosen = await ak.setBackend('auto');
  assert.equal(chosen.name, 'native');
  assert.deepEqual(ak.backendFallbackNotes(), []);
  const d = be.describe();
  assert.ok(be.supportedIsas().includes(d['isa'] as never));
  assert.equal(d['threads'], be.threads());
});

test('alloc gives 64-byte-aligned native Float32Arrays and refuses other dtypes', () => {
  for (const n of [0, 1, 7, 1000, 65537]) {
    const a = be.alloc('float32', n);
    assert.ok(a instanceof Float32Array);
    assert.equal(a.length, n);
    assert.ok(be.addon.byteAlignment(a) >= 64, `size ${n} aligned to ${be.addon.byteAlignment(a)}`);
    be.release(a);
  }
  assert.throws(() => be.alloc('float64', 4), /computes in float32 only, asked for float64/);
});

test('released buffers are reused by size and counted as live only while handed out', () => {
  const live = be.liveBuffers();
  const a = be.alloc('float32', 12345);
  assert.equal(be.liveBuffers(), live + 1);
  const made = be.poolStats().allocations;
  be.release(a);
  assert.equal(be.liveBuffers(), live);
  const b = be.alloc('float32', 12345);
  assert.equal(b, a, 'same size comes back from the free list');
  assert.equal(be.poolStats().allocations, made);
  const c = be.alloc('float32', 12346);
  assert.equal(be.poolStats().allocations, made + 1, 'a new size allocates');
  be.release(b);
  be.release(c);
});

test('a buffer released twice is an error', () => {
  const a = be.alloc('float32', 99);
  be.release(a);
  assert.throws(() => be.release(a), /released twice/);
});

test('setThreads validates its argument and round-trips', () => {
  const n = be.threads();
  be.setThreads(1);
  assert.equal(be.threads(), 1);
  be.setThreads(n);
  assert.equal(be.threads(), n);
  assert.throws(() => be.setThreads(0), /integer 1\.\.64/);
});

test('setIsa rejects unknown names', () => {
  assert.throws(() => be.setIsa('sse9' as never), /unknown ISA 'sse9'/);
});

test('a steady training step allocates no new native buffers over 100 steps', async () => {
  await ak.setBackend('native');
  const rng = new ak.Rng(1);
  const x = ak.keep(ak.randomNormal([64, 32], rng));
  const params = [ak.randomNormal([48, 32], rng, 0, 0.1), ak.zeros([48]), ak.randomNormal([32, 48], rng, 0, 0.1), ak.zeros([32])].map((p) => {
    p.requiresGrad = true;
    return ak.keep(p);
  });
  const [w1, b1, w2, b2] = params as [ak.Tensor, ak.Tensor, ak.Tensor, ak.Tensor];
  const step = (): void =>
    ak.tidy(() => {
      const h = ak.dense(x, w1, b1, 'relu');
      const y = ak.dense(h, w2, b2, 'sigmoid');
      const loss = ak.mean(ak.square(ak.sub(y, x)));
      const grads = ak.backward(loss);
      ak.noGrad(() => params.forEach((p) => p.assign(ak.sub(p, ak.mul(grads.get(p)!, 0.1)).data)));
    });
  for (let i = 0; i < 3; i++) step();
  const before = be.poolStats().allocations;
  const live = be.liveBuffers();
  for (let i = 0; i < 100; i++) step();
  assert.equal(be.poolStats().allocations, before);
  assert.equal(be.liveBuffers(), live);
});

/** setBackend('auto') in a fresh process with extra environment; returns what it chose and why. */
function autoIn(env: Record<string, string>): { name: string; isa?: string; threads?: number; notes: string[] } {
  const index = new URL('../../index.js', import.meta.url).href;
  const script = `import * as ak from ${JSON.stringify(index)};
    const be = await ak.setBackend('auto');
    const d = be.describe();
    console.log(JSON.stringify({ name: be.name, isa: d.isa, threads: d.threads, notes: ak.backendFallbackNotes() }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { name: string; isa?: string; threads?: number; notes: string[] };
}

test('AEKIT_NATIVE_ISA forces each supported instruction set', () => {
  for (const isa of be.supportedIsas()) assert.equal(autoIn({ AEKIT_NATIVE_ISA: isa }).isa, isa);
});

test('an unknown AEKIT_NATIVE_ISA makes auto fall back to the next backend (wasm) and say why', () => {
  const r = autoIn({ AEKIT_NATIVE_ISA: 'sse9' });
  assert.equal(r.name, 'wasm');
  assert.match(r.notes.join('\n'), /backend 'native' unavailable: .*AEKIT_NATIVE_ISA: unknown ISA 'sse9'/);
});

test('AEKIT_THREADS sets the pool size', () => {
  assert.equal(autoIn({ AEKIT_THREADS: '1' }).threads, 1);
  assert.equal(autoIn({ AEKIT_THREADS: '3' }).threads, 3);
});

test('gatherRows copies the same rows as the data layer, on one thread and two, and reports a bad index without copying', () => {
  const dim = 37;
  const rows = 500;
  const src = Float32Array.from({ length: rows * dim }, (_, i) => Math.fround(Math.sin(i) * 100));
  const ds = makeDataset({ x: src, sampleShape: [dim], source: 'test' });
  const before = be.threads();
  try {
    for (const threads of [1, 2]) {
      be.setThreads(threads);
      for (const n of [1, 31, 32, 257]) {
        const idx = Int32Array.from({ length: n }, (_, i) => (i * 7919 + 13) % rows);
        const want = gatherRows(ds, idx, new Float32Array(n * dim));
        const got = be.alloc('float32', n * dim);
        assert.equal(be.gatherRows(src, dim, idx, got), -1);
        assert.deepEqual(got, want, `${n} rows on ${threads} thread(s)`);
        be.release(got);
      }
    }
  } finally {
    be.setThreads(before);
  }
  const out = be.alloc('float32', 3 * dim).fill(7);
  assert.equal(be.gatherRows(src, dim, Int32Array.from([0, rows, 1]), out), 1);
  assert.equal(be.gatherRows(src, dim, Int32Array.from([-1, 0, 1]), out), 0);
  assert.ok(out.every((v) => v === 7), 'nothing copied when an index is bad');
  assert.throws(() => be.gatherRows(src, dim, Int32Array.from([0, 1, 2, 3]), out), /out is too short/);
  be.release(out);
});

test('fmaPeak measures a positive rate on every ISA the CPU has and refuses a bad count', () => {
  const isa = be.isa();
  try {
    for (const name of be.supportedIsas()) {
      be.setIsa(name);
      const gflops = be.addon.fmaPeak(1000);
      assert.ok(Number.isFinite(gflops) && gflops > 0, `${name}: ${gflops}`);
    }
  } finally {
    be.setIsa(isa);
  }
  assert.throws(() => be.addon.fmaPeak(0), /iters must be at least 1/);
});
