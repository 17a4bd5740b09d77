/**
 * aekit's wasm backend against TensorFlow.js 4.22's wasm backend, in one Node process:
 * SGEMM 1024³ NN/NT/TN GFLOP/s, and Model A / Model B training samples/s (TF.js with Layers `fit`
 * and with a hand-written backward free of transposed products; aekit with its trainer's step).
 * The two sides alternate for `--rounds` rounds and each reports its median. Also reports the
 * machine's FMA peak (the native addon's 2-thread AVX-512 loop where it loads, and wasm's
 * single-thread f32x4 loop) and Model B's share of it. Writes bench/results/wasm.json.
 *
 *   npm run bench:wasm -- [--rounds 3] [--threads 2] [--only gemm,A,B]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ak from '../src/index.js';
import { getKernel, registerBackend, Rng, type TensorInfo } from '../src/core/index.js';
import type { NativeBackend } from '../src/backends/native/index.js';
import { createNodeWasmBackend } from '../src/backends/wasm/node.js';
import type { WasmBackend } from '../src/backends/wasm/index.js';
import { loadMnist } from '../src/data/index.js';
import { createModel, fitModelToData, registerBuiltinModels } from '../src/models/index.js';
import { createOptimizer } from '../src/nn/optim/index.js';
import { mergeConfig, parseRunConfig, PRESETS } from '../src/train/config.js';
import { trainStep } from '../src/train/trainer.js';
import { benchArgs, median, ROOT } from './peer.js';
import { tfjsFit, tfjsGemm, tfjsManual, useTfjsWasm, type NetSpec } from './wasm-tfjs.js';

const USAGE = `Usage: node dist/bench/wasm.js [--rounds N] [--threads T] [--only gemm,A,B]

aekit's wasm backend against TensorFlow.js's wasm backend in the same process; writes bench/results/wasm.json.`;
const { values } = benchArgs(USAGE, { options: { rounds: { type: 'string', default: '3' }, threads: { type: 'string', default: '2' }, only: { type: 'string', default: 'gemm,A,B' } } });
const rounds = Number(values.rounds);
const only = new Set(values.only!.split(','));

registerBuiltinModels();
const be: WasmBackend = await createNodeWasmBackend({ threads: Number(values.threads) });
registerBackend('wasm', () => be, -1);
await ak.setBackend('wasm');
while (be.readyThreads() < be.threads()) await new Promise((r) => setTimeout(r, 10));
const tfInfo = await useTfjsWasm();
const train = loadMnist('train');
const log = (s: string): boolean => process.stderr.write(s + '\n');

/** Median GFLOP/s of aekit's wasm MatMul at n³. */
function aekitGemm(n: number, trans: string, reps: number): number {
  const operand = (): TensorInfo => {
    const data = be.alloc('float32', n * n);
    for (let i = 0; i < data.length; i++) data[i] = Math.random();
    return { shape: [n, n], dtype: 'float32', data };
  };
  const [a, b] = [operand(), operand()];
  const matmul = getKernel('wasm', 'MatMul');
  const run = (): number => {
    const t0 = performance.now();
    be.release(matmul([a, b], { transposeA: trans[0] === 'T', transposeB: trans[1] === 'T' }, be).data);
    return performance.now() - t0;
  };
  run();
  run();
  const ms = median(Array.from({ length: reps }, run));
  be.release(a.data);
  be.release(b.data);
  return (2 * n ** 3) / (ms * 1e6);
}

/** The bench's two nets (TARGETS.md): presets keras-deep (Model A) and hinton2006 with MSE (Model B). */
const NETS: Record<'A' | 'B', { preset: string; over: Record<string, unknown>; spec: NetSpec; steps: [number, number, number, number] }> = {
  // steps: aekit, TF.js fit, TF.js hand-written, warm-up
  A: { preset: 'keras-deep', over: {}, spec: { sizes: [784, 128, 64, 32, 64, 128, 784], acts: ['relu', 'relu', 'relu', 'relu', 'relu', 'sigmoid'], loss: 'bce' }, steps: [100, 20, 40, 10] },
  B: { preset: 'hinton2006', over: { model: { loss: 'mse' } }, spec: { sizes: [784, 1000, 500, 250, 30, 250, 500, 1000, 784], acts: ['relu', 'relu', 'relu', 'linear', 'relu', 'relu', 'relu', 'sigmoid'], loss: 'mse' }, steps: [30, 4, 12, 4] },
};

function aekitTrain(net: 'A' | 'B', steps: number, warmup: number): number {
  const { preset, over } = NETS[net];
  const config = parseRunConfig(mergeConfig(PRESETS[preset]!.config, over));
  const model = createModel(fitModelToData(config.model, train.sampleShape), new Rng(42));
  const optimizer = createOptimizer({ kind: 'adam', lr: 1e-3 });
  const ctx = { model, optimizer, train, config: { clipNorm: 0 } };
  const params = model.parameters();
  const nb = Math.floor(train.n / 256);
  const idx = (s: number): Int32Array => Int32Array.from({ length: 256 }, (_, i) => (s % nb) * 256 + i);
  const rng = new Rng(1);
  for (let s = 0; s < warmup; s++) trainStep(ctx, params, idx(s), rng);
  const t0 = performance.now();
  for (let s = warmup; s < warmup + steps; s++) trainStep(ctx, params, idx(s), rng);
  const seconds = (performance.now() - t0) / 1000;
  optimizer.dispose();
  model.dispose();
  return (steps * 256) / seconds;
}

/** GFLOP/s of the native addon's 2-thread FMA loop, or null where the addon does not load. */
async function nativePeak(): Promise<number | null> {
  try {
    const nat = (await ak.setBackend('native')) as NativeBackend;
    nat.setThreads(2);
    const peak = Math.max(...Array.from({ length: 3 }, () => nat.addon.fmaPeak(2e6)));
    await ak.setBackend('wasm');
    return peak;
  } catch {
    await ak.setBackend('wasm');
    return null;
  }
}

const result: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: `${(await import('node:os')).cpus()[0]?.model ?? '?'} × ${(await import('node:os')).availableParallelism()}`,
  node: process.version,
  aekit: be.describe(),
  tfjs: tfInfo,
  rounds,
};
// V8 runs a wasm function first in its baseline compiler and swaps in optimised code between calls.
for (let i = 0; i < 20; i++) be.fmaPeak(1e5);
await new Promise((r) => setTimeout(r, 200));
result['fmaPeakGflops'] = { wasmOneThread: Math.max(...Array.from({ length: 3 }, () => be.fmaPeak(2e7))), native2Threads: await nativePeak() };
log(`FMA peak: ${JSON.stringify(result['fmaPeakGflops'])}; aekit ${JSON.stringify(be.describe())}; TF.js ${JSON.stringify(tfInfo)}`);

if (only.has('gemm')) {
  const gemm: Record<string, { aekit: number; tfjs: number; ratio: number }> = {};
  for (const trans of ['NN', 'NT', 'TN']) {
    const a: number[] = [];
    const t: number[] = [];
    for (let r = 0; r < rounds; r++) {
      a.push(aekitGemm(1024, trans, 5));
      t.push(tfjsGemm(1024, trans, trans === 'NN' ? 5 : 1));
      log(`  SGEMM 1024³ ${trans} round ${r + 1}: aekit ${a.at(-1)!.toFixed(1)}  TF.js ${t.at(-1)!.toFixed(2)} GFLOP/s`);
    }
    gemm[trans] = { aekit: median(a), tfjs: median(t), ratio: median(a) / median(t) };
  }
  result['sgemm1024'] = gemm;
}

for (const net of ['A', 'B'] as const) {
  if (!only.has(net)) continue;
  const { spec, steps } = NETS[net];
  const [aSteps, fitSteps, manSteps, warm] = steps;
  const a: number[] = [];
  const fit: number[] = [];
  const man: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(aekitTrain(net, aSteps, warm));
    fit.push(await tfjsFit(spec, train.x, 256, fitSteps));
    man.push(tfjsManual(spec, train.x, 256, warm, manSteps));
    log(`  Model ${net} round ${r + 1}: aekit ${a.at(-1)!.toFixed(0)}  TF.js fit ${fit.at(-1)!.toFixed(0)}  TF.js hand-written ${man.at(-1)!.toFixed(0)} samples/s`);
  }
  const best = Math.max(median(fit), median(man));
  result[`model${net}`] = { aekit: median(a), tfjsFit: median(fit), tfjsManual: median(man), ratioToBest: median(a) / best, runs: { aekit: a, tfjsFit: fit, tfjsManual: man } };
}

// Model B's arithmetic: 6 × parameters flops per sample (TARGETS.md), as a share of each peak.
const mb = result['modelB'] as { aekit: number } | undefined;
const peaks = result['fmaPeakGflops'] as { wasmOneThread: number; native2Threads: number | null };
if (mb) {
  const gflops = (mb.aekit * 6 * 2_837_314) / 1e9;
  result['modelBPeakShare'] = { gflops, ofWasmPeakAllThreads: gflops / (peaks.wasmOneThread * be.threads()), ofNativePeak: peaks.native2Threads ? gflops / peaks.native2Threads : null };
}

writeFileSync(join(ROOT, 'bench', 'results', 'wasm.json'), JSON.stringify(result, null, 2) + '\n');
const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
console.log(`\naekit wasm (${be.isa}, ${be.threads()} threads) vs TF.js ${tfInfo['version']} wasm (SIMD ${tfInfo['simd']}, threads ${tfInfo['threads']}), Node ${process.version}, medians of ${rounds} rounds\n`);
for (const [trans, g] of Object.entries((result['sgemm1024'] as Record<string, { aekit: number; tfjs: number; ratio: number }>) ?? {})) {
  console.log(`SGEMM 1024³ ${trans} GFLOP/s        ${f(g.aekit).padStart(8)}   ${f(g.tfjs).padStart(8)}   ${g.ratio.toFixed(1)}×`);
}
for (const net of ['A', 'B']) {
  const m = result[`model${net}`] as { aekit: number; tfjsFit: number; tfjsManual: number; ratioToBest: number } | undefined;
  if (m) console.log(`Model ${net} samples/s (fit | manual) ${f(m.aekit).padStart(8)}   ${f(m.tfjsFit)} | ${f(m.tfjsManual)}   ${m.ratioToBest.toFixed(2)}× the better`);
}
const share = result['modelBPeakShare'] as { gflops: number; ofWasmPeakAllThreads: number; ofNativePeak: number | null } | undefined;
if (share) console.log(`Model B: ${share.gflops.toFixed(1)} GFLOP/s = ${(share.ofWasmPeakAllThreads * 100).toFixed(0)}% of wasm's f32x4 FMA peak × ${be.threads()} threads${share.ofNativePeak ? `, ${(share.ofNativePeak * 100).toFixed(1)}% of the machine's AVX-512 FMA peak` : ''}`);
be.close();
