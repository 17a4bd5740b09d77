/**
 * The wasm backend beyond conformance: views that survive memory growth, threads that do not
 * change results, the relaxed-SIMD choice, its memory accounting, and a conv net and an MLP of
 * every activation whose losses and gradients agree with the reference to 1e-4 relative.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ak from '../../index.js';
import { getKernel, registerBackend, type TensorInfo } from '../../core/index.js';
import { createNodeWasmBackend } from './node.js';
import { relaxedSimdSupported, type WasmBackend } from './index.js';

/** A fresh backend under its own engine name, so tests can make it active. */
async function activate(name: string, options: Parameters<typeof createNodeWasmBackend>[0]): Promise<WasmBackend> {
  const be = await createNodeWasmBackend({ ...options, name });
  registerBackend(name, () => be, -1);
  await ak.setBackend(name);
  return be;
}

describe('memory growth', () => {
  test('plain memory: growing detaches old views, and tensors re-derive theirs', async () => {
    const be = await activate('wasm-plain-growth', { shared: false });
    const a = ak.keep(ak.tensor([1, 2, 3, 4, 5], [5]));
    const w = ak.keep(ak.tensor([1, 0, 0, 1, 2, 2, 0, 0, 0, 1], [2, 5]));
    const stale = a.data;
    const grown = be.heap.grownTimes;
    const epoch = be.memoryEpoch;
    const big = ak.keep(ak.zeros([64 * 2 ** 20])); // 256 MiB: well past the initial 16 MiB
    assert.ok(be.heap.grownTimes > grown, 'memory grew');
    assert.ok(be.memoryEpoch > epoch, 'the epoch moved');
    assert.equal(stale.length, 0, 'the view taken before growing is detached (the hazard this guards against)');
    assert.deepEqual([...a.data], [1, 2, 3, 4, 5]);
    assert.deepEqual([...ak.add(a, a).data], [2, 4, 6, 8, 10]);
    assert.deepEqual([...ak.matmul(w, a.view([5, 1])).data], [15, 7]);
    // Outputs made early in a kernel whose later allocation grows memory come back current.
    const before = be.memoryEpoch;
    const x = ak.keep(ak.randomUniform([4, 3], new ak.Rng(1)));
    const w1 = ak.keep(ak.randomUniform([2, 3], new ak.Rng(2)));
    const dy = ak.keep(ak.randomUniform([4, 2], new ak.Rng(3)));
    const y = ak.keep(ak.dense(x, w1, ak.zeros([2]), 'linear'));
    const filler = ak.keep(ak.zeros([be.heap.stats().memory / 4 - be.heap.stats().used / 4 - 8])); // leaves almost no room
    const [dx, dw, db] = getKernel(be.name, 'FusedDenseGrad')([dy, x, w1, y], { activation: 'linear', inputGrad: true }, be) as TensorInfo[];
    assert.ok(be.memoryEpoch > before, 'the kernel grew memory');
    for (const t of [dx!, dw!, db!]) assert.ok(t.data.length > 0 && t.data.buffer === be.heap.memory.buffer, 'outputs are views of the current memory');
    assert.ok(Math.abs(db!.data[0]! - (dy.data[0]! + dy.data[2]! + dy.data[4]! + dy.data[6]!)) < 1e-6);
    for (const t of [dx!, dw!, db!]) be.release(t.data);
    for (const t of [a, w, big, x, w1, dy, y, filler]) t.dispose();
    await ak.setBackend('reference');
  });

  test('shared memory: growing leaves old views valid', async () => {
    const be = await activate('wasm-shared-growth', { shared: true, threads: 1 });
    const a = ak.keep(ak.tensor([1, 2, 3], [3]));
    const view = a.data;
    const grown = be.heap.grownTimes;
    const big = ak.keep(ak.zeros([64 * 2 ** 20]));
    assert.ok(be.heap.grownTimes > grown);
    assert.equal(be.memoryEpoch, 0);
    assert.deepEqual([...view], [1, 2, 3]);
    a.dispose();
    big.dispose();
    await ak.setBackend('reference');
  });
});

test('freed blocks are reused by size, merged when memory would grow, and a double release is an error', async () => {
  const be = await createNodeWasmBackend({ shared: false });
  const a = be.alloc('float32', 1000);
  const fresh = be.poolStats().allocations;
  be.release(a);
  const b = be.alloc('float32', 1000);
  assert.equal(b.byteOffset, a.byteOffset, 'the same block comes back');
  assert.equal(be.poolStats().allocations, fresh);
  assert.throws(() => be.release(a), /did not hand out, or one released twice/);
  be.release(b);
  // Fill memory with small blocks, free them, and ask for one larger block: it reuses their space.
  const room = (be.heap.stats().memory - be.heap.stats().used) / 4;
  const parts = Array.from({ length: 8 }, () => be.alloc('float32', Math.floor(room / 8) - 16));
  for (const p of parts) be.release(p);
  const grown = be.heap.grownTimes;
  const whole = be.alloc('float32', Math.floor(room / 2));
  assert.equal(be.heap.grownTimes, grown, 'no growth: the freed blocks were merged');
  be.release(whole);
  assert.throws(() => be.alloc('float64', 4), /computes in float32 only/);
});

test('a threaded GEMM gives bit-identical results to one thread, in every transpose combination', async () => {
  const one = await createNodeWasmBackend({ threads: 1 });
  const two = await createNodeWasmBackend({ threads: 2 });
  assert.equal(two.threads(), 2);
  const until = Date.now() + 10_000;
  while (two.readyThreads() < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  assert.equal(two.readyThreads(), 2, 'the worker started');
  const [m, n, k] = [301, 517, 263]; // m·n·k above the threading threshold, ragged edges
  const rng = new ak.Rng(7);
  const make = (be: WasmBackend, shape: number[], values: Float32Array): TensorInfo => {
    const data = be.alloc('float32', values.length);
    data.set(values);
    return { shape, dtype: 'float32', data };
  };
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    const av = Float32Array.from({ length: m * k }, () => rng.uniform() - 0.5);
    const bv = Float32Array.from({ length: k * n }, () => rng.uniform() - 0.5);
    const run = (be: WasmBackend): Float32Array => {
      const out = getKernel('wasm', 'MatMul')([make(be, ta ? [k, m] : [m, k], av), make(be, tb ? [n, k] : [k, n], bv)], { transposeA: ta, transposeB: tb }, be);
      return Float32Array.from(out.data);
    };
    assert.deepEqual(run(two), run(one), `${ta ? 'T' : 'N'}${tb ? 'T' : 'N'}`);
  }
  // Adam over more parameters than one thread takes (shared in 16,384-float chunks, a ragged last
  // one): the same values as one thread, and as the reference backend to float rounding.
  const count = 200_003;
  const init = [0.5, 0.5, 0.5, 0.01].map((scale) => Float32Array.from({ length: count }, () => scale * (rng.uniform() - (scale < 0.1 ? 0 : 0.5))));
  const attrs = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, step: 3 };
  const adam = (be: WasmBackend): Float32Array[] => {
    const ts = init.map((v) => make(be, [count], v));
    getKernel('wasm', 'AdamUpdate')(ts as [TensorInfo, TensorInfo, TensorInfo, TensorInfo], attrs, be);
    return [0, 2, 3].map((i) => Float32Array.from(ts[i]!.data));
  };
  const [p2, p1] = [adam(two), adam(one)];
  assert.deepEqual(p2, p1, 'Adam on 2 threads');
  assert.notDeepEqual(p1[0], init[0], 'the parameters moved');
  assert.throws(() => two.setThreads(0), /integer 1\.\.32/);
  two.close();
  assert.equal(two.threads(), 1);
});

test('relaxed SIMD is chosen where the runtime validates it, and plain SIMD128 can be asked for', async () => {
  const auto = await createNodeWasmBackend({ threads: 1 });
  assert.equal(auto.isa, relaxedSimdSupported() ? 'relaxed' : 'simd128');
  assert.equal((await createNodeWasmBackend({ threads: 1, isa: 'simd128' })).isa, 'simd128');
  const d = auto.describe();
  assert.equal(d['backend'], 'wasm');
  assert.equal(d['sharedMemory'], true);
  assert.ok(auto.fmaPeak(1e5) > 0);
});

describe('wasm against the reference (float32, 1e-4 relative)', async () => {
  await activate('wasm', { threads: 2 });
  await ak.setBackend('reference');
  const agree = async (run: () => number[][]): Promise<void> => {
    const want = run();
    await ak.setBackend('wasm');
    try {
      const got = run();
      assert.equal(ak.firstDisagreement(got, want, 1e-4, ['wasm', 'reference']), null);
    } finally {
      await ak.setBackend('reference');
    }
  };

  test('a conv net: loss and every gradient', async () => {
    await agree(() => ak.tidy(() => {
      const s = 99;
      const x = ak.randomUniform([4, 12, 12, 2], new ak.Rng(s), 0, 1);
      const w1 = ak.randomUniform([8, 3, 3, 2], new ak.Rng(s + 1), -0.5, 0.5);
      const b1 = ak.randomUniform([8], new ak.Rng(s + 2), -0.1, 0.1);
      const w2 = ak.randomUniform([8, 3, 3, 3], new ak.Rng(s + 3), -0.5, 0.5);
      const b2 = ak.randomUniform([3], new ak.Rng(s + 4), -0.1, 0.1);
      for (const t of [x, w1, b1, w2, b2]) t.requiresGrad = true;
      const h = ak.maxPool2d(ak.conv2d(x, w1, b1, { padding: 'same' }, 'relu'), { kernel: 2 });
      const a = ak.avgPool2d(h, { kernel: 3, stride: 1, padding: 1 });
      const u = ak.convTranspose2d(a, w2, b2, { stride: 2, padding: 'same' }, 'tanh');
      const loss = ak.mean(ak.square(u));
      const g = ak.backward(loss);
      return [[loss.item()], ...[x, w1, b1, w2, b2].map((t) => [...g.get(t)!.data])];
    }));
  });

  test('an MLP through every fused activation and both fused losses: losses and every gradient', async () => {
    await agree(() => ak.tidy(() => {
      const rng = new ak.Rng(5);
      const x = ak.randomUniform([33, 20], rng, 0, 1);
      const sizes = [20, 40, 24, 16, 20];
      const acts = ['relu', 'tanh', 'linear', 'sigmoid'] as const;
      const params = acts.map((_, i) => [ak.randomUniform([sizes[i + 1]!, sizes[i]!], rng, -0.4, 0.4), ak.randomUniform([sizes[i + 1]!], rng, -0.1, 0.1)] as const);
      for (const [w, b] of params) w.requiresGrad = b.requiresGrad = true;
      let h = x;
      params.forEach(([w, b], i) => (h = ak.dense(h, w, b, acts[i]!)));
      const mse = ak.mean(ak.square(ak.sub(h, x)));
      const g = ak.backward(mse);
      return [[mse.item()], ...params.flatMap(([w, b]) => [[...g.get(w)!.data], [...g.get(b)!.data]])];
    }));
  });
});
