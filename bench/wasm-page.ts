/**
 * The Chromium half of `npm run bench:wasm`: bench/wasm.ts bundles this file with Vite and serves it
 * in a cross-origin-isolated page with the aekit and TF.js wasm modules and MNIST, then calls `run`.
 * Both sides get the same number of threads (web workers over shared memory).
 */
import * as aekit from '../src/browser.js';
import type { WasmBackend } from '../src/backends/wasm/index.js';
import { runCases, type CaseResults } from './wasm-cases.js';
import { tfjsSide, useTfjsWasm } from './wasm-tfjs.js';

export interface PageResult {
  userAgent: string;
  crossOriginIsolated: boolean;
  aekit: Record<string, unknown>;
  tfjs: Record<string, unknown>;
  results: CaseResults;
}

async function bytes(path: string): Promise<Uint8Array> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

export async function run(options: { rounds: number; only: string[]; threads: number }): Promise<PageResult> {
  aekit.registerWasmBackend((file) => bytes(`/wasm/${file}`), { threads: options.threads });
  const be = (await aekit.setBackend('wasm')) as WasmBackend;
  const tfjs = await useTfjsWasm({ wasmPaths: '/tfjs/', threads: options.threads });
  const img = aekit.parseIdx(await bytes('/mnist/train-images'), 'train-images');
  const x = Float32Array.from(img.data, (v) => v / 255);
  const train = aekit.makeDataset({ x, sampleShape: [1, 28, 28], labels: null, source: 'mnist' });
  const results = await runCases(be, tfjsSide, train, options.rounds, new Set(options.only), (line) => console.log(line));
  const g = globalThis as unknown as { navigator: { userAgent: string }; crossOriginIsolated: boolean };
  return { userAgent: g.navigator.userAgent, crossOriginIsolated: g.crossOriginIsolated, aekit: be.describe(), tfjs, results };
}
