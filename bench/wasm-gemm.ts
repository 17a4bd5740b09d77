/**
 * aekit's wasm SGEMM alone, in Node: GFLOP/s of n³ NN/NT/TN next to this thread's f32x4 FMA loop,
 * the ceiling a wasm kernel can reach. For tuning the kernel in wasm/assembly/gemm.ts
 * (`npm run build:wasm`, then this); `npm run bench:wasm` is the comparison with TF.js.
 *
 *   node dist/bench/wasm-gemm.js [--threads 1] [--n 1024] [--reps 9]
 */
import * as ak from '../src/index.js';
import { registerBackend } from '../src/core/index.js';
import { createNodeWasmBackend } from '../src/backends/wasm/node.js';
import { benchArgs } from './peer.js';
import { aekitGemm } from './wasm-cases.js';

const USAGE = `Usage: node dist/bench/wasm-gemm.js [--threads T] [--n N] [--reps R]

aekit's wasm SGEMM (n³, NN/NT/TN, median of R) in GFLOP/s and as a share of one thread's f32x4 FMA loop × T.`;
const { values } = benchArgs(USAGE, {
  options: { threads: { type: 'string', default: '1' }, n: { type: 'string', default: '1024' }, reps: { type: 'string', default: '9' } },
});
const threads = Number(values.threads);
const n = Number(values.n);
const reps = Number(values.reps);
for (const [name, v] of [['--threads', threads], ['--n', n], ['--reps', reps]] as const) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`${name} must be a positive integer\n\n${USAGE}`);
    process.exit(2);
  }
}

const be = await createNodeWasmBackend({ threads });
registerBackend('wasm', () => be, 5);
await ak.setBackend('wasm');
for (const t0 = Date.now(); be.readyThreads() < be.threads() && Date.now() - t0 < 10_000; ) await new Promise((r) => setTimeout(r, 10));
// V8 swaps optimised code in between calls: warm the loop first.
for (let i = 0; i < 20; i++) be.fmaPeak(1e5);
const peak = Math.max(...Array.from({ length: 3 }, () => be.fmaPeak(2e7)));
const cells = ['NN', 'NT', 'TN'].map((t) => {
  const g = aekitGemm(be, n, t, reps);
  return `${t} ${g.toFixed(1)} (${((100 * g) / (peak * threads)).toFixed(0)}%)`;
});
console.log(`wasm ${String(be.describe()['isa'])}, ${threads} thread(s): FMA loop ${peak.toFixed(1)} GFLOP/s per thread; SGEMM ${n}³ GFLOP/s (share of loop × threads): ${cells.join('  ')}`);
be.close();
