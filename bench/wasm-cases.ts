/**
 * The cases of `npm run bench:wasm`, run the same way in Node (bench/wasm.ts) and in Chromium
 * (bench/wasm-page.ts): SGEMM 1024³ NN/NT/TN and Model A / Model B training, aekit's wasm backend
 * against TensorFlow.js's wasm backend, alternating round by round. Browser-safe: no Node imports.
 */
import { getKernel, Rng, type TensorInfo } from '../src/core/index.js';
import type { WasmBackend } from '../src/backends/wasm/index.js';
import type { Dataset } from '../src/data/dataset.js';
import { createModel, fitModelToData } from '../src/models/index.js';
import { createOptimizer } from '../src/nn/optim/index.js';
import { mergeConfig, parseRunConfig, PRESETS } from '../src/train/config.js';
import { trainStep } from '../src/train/trainer.js';
import type { NetSpec } from './wasm-tfjs.js';

/** TF.js's side of the bench (bench/wasm-tfjs.ts, with the same TF.js in Node and in the page). */
export interface TfjsSide {
  gemm(n: number, trans: string, reps: number): number;
  fit(spec: NetSpec, x: Float32Array, bs: number, steps: number): Promise<number>;
  manual(spec: NetSpec, x: Float32Array, bs: number, warmup: number, steps: number): number;
}

export interface GemmRow {
  aekit: number;
  tfjs: number;
  ratio: number;
  runs: { aekit: number[]; tfjs: number[] };
}
export interface ModelRow {
  aekit: number;
  tfjsFit: number;
  tfjsManual: number;
  ratioToBest: number;
  runs: { aekit: number[]; tfjsFit: number[]; tfjsManual: number[] };
}
export interface CaseResults {
  fmaPeakGflopsOneThread: number;
  sgemm1024?: Record<string, GemmRow>;
  modelA?: ModelRow;
  modelB?: ModelRow;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Median GFLOP/s of aekit's wasm MatMul at n³. */
export function aekitGemm(be: WasmBackend, n: number, trans: string, reps: number): number {
  const operand = (): TensorInfo => {
    const data = be.alloc('float32', n * n);
    for (let i = 0; i < data.length; i++) data[i] = Math.random();
    return { shape: [n, n], dtype: 'float32', data };
  };
  const [a, b] = [operand(), operand()];
  const matmul = getKernel(be.name, 'MatMul');
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
export const NETS: Record<'A' | 'B', { preset: string; over: Record<string, unknown>; spec: NetSpec; steps: [number, number, number, number] }> = {
  // steps: aekit, TF.js fit, TF.js hand-written, warm-up
  A: { preset: 'keras-deep', over: {}, spec: { sizes: [784, 128, 64, 32, 64, 128, 784], acts: ['relu', 'relu', 'relu', 'relu', 'relu', 'sigmoid'], loss: 'bce' }, steps: [100, 20, 40, 10] },
  B: { preset: 'hinton2006', over: { model: { loss: 'mse' } }, spec: { sizes: [784, 1000, 500, 250, 30, 250, 500, 1000, 784], acts: ['relu', 'relu', 'relu', 'linear', 'relu', 'relu', 'relu', 'sigmoid'], loss: 'mse' }, steps: [30, 4, 12, 4] },
};

/** Samples/s of the trainer's step on the active backend (batch 256, Adam 1e-3). */
function aekitTrain(train: Dataset, net: 'A' | 'B', steps: number, warmup: number): number {
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

const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 200));

/**
 * Every case for `rounds` rounds on the active backend `be` (the wasm backend), TF.js in between.
 * `only` picks among 'gemm', 'A', 'B'; `log` gets one line per round.
 */
export async function runCases(be: WasmBackend, tf: TfjsSide, train: Dataset, rounds: number, only: ReadonlySet<string>, log: (line: string) => void): Promise<CaseResults> {
  // V8 runs a wasm function first in its baseline compiler and swaps in optimised code between calls.
  for (let i = 0; i < 20; i++) be.fmaPeak(1e5);
  await pause();
  const out: CaseResults = { fmaPeakGflopsOneThread: Math.max(...Array.from({ length: 3 }, () => be.fmaPeak(2e7))) };
  if (only.has('gemm')) {
    out.sgemm1024 = {};
    for (const trans of ['NN', 'NT', 'TN']) {
      const a: number[] = [];
      const t: number[] = [];
      for (let r = 0; r < rounds; r++) {
        a.push(aekitGemm(be, 1024, trans, 5));
        t.push(tf.gemm(1024, trans, trans === 'NN' ? 5 : 1));
        log(`  SGEMM 1024³ ${trans} round ${r + 1}: aekit ${a.at(-1)!.toFixed(1)}  TF.js ${t.at(-1)!.toFixed(2)} GFLOP/s`);
      }
      out.sgemm1024[trans] = { aekit: median(a), tfjs: median(t), ratio: median(a) / median(t), runs: { aekit: a, tfjs: t } };
    }
  }
  for (const net of ['A', 'B'] as const) {
    if (!only.has(net)) continue;
    const { spec, steps } = NETS[net];
    const [aSteps, fitSteps, manSteps, warm] = steps;
    const a: number[] = [];
    const fit: number[] = [];
    const man: number[] = [];
    for (let r = 0; r < rounds; r++) {
      a.push(aekitTrain(train, net, aSteps, warm));
      fit.push(await tf.fit(spec, train.x, 256, fitSteps));
      man.push(tf.manual(spec, train.x, 256, warm, manSteps));
      log(`  Model ${net} round ${r + 1}: aekit ${a.at(-1)!.toFixed(0)}  TF.js fit ${fit.at(-1)!.toFixed(0)}  TF.js hand-written ${man.at(-1)!.toFixed(0)} samples/s`);
      await pause();
    }
    const best = Math.max(median(fit), median(man));
    out[`model${net}`] = { aekit: median(a), tfjsFit: median(fit), tfjsManual: median(man), ratioToBest: median(a) / best, runs: { aekit: a, tfjsFit: fit, tfjsManual: man } };
  }
  return out;
}

/** Model B's arithmetic (6 × parameters flops per sample, TARGETS.md) as GFLOP/s and as shares of the given peaks. */
export function modelBPeakShare(samplesPerSec: number, wasmPeakAllThreads: number, nativePeak: number | null): { gflops: number; ofWasmPeakAllThreads: number; ofNativePeak: number | null } {
  const gflops = (samplesPerSec * 6 * 2_837_314) / 1e9;
  return { gflops, ofWasmPeakAllThreads: gflops / wasmPeakAllThreads, ofNativePeak: nativePeak ? gflops / nativePeak : null };
}

/** The table printed at the end, for one runtime. */
export function summary(title: string, r: CaseResults): string {
  const f = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
  const lines = [title];
  for (const [trans, g] of Object.entries(r.sgemm1024 ?? {})) lines.push(`SGEMM 1024³ ${trans} GFLOP/s        ${f(g.aekit).padStart(8)}   ${f(g.tfjs).padStart(8)}   ${g.ratio.toFixed(1)}×`);
  for (const net of ['A', 'B'] as const) {
    const m = r[`model${net}`];
    if (m) lines.push(`Model ${net} samples/s (fit | manual) ${f(m.aekit).padStart(8)}   ${f(m.tfjsFit)} | ${f(m.tfjsManual)}   ${m.ratioToBest.toFixed(2)}× the better`);
  }
  return lines.join('\n');
}
