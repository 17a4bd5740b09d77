/**
 * The wasm backend in Node: module bytes from build/wasm/ (made by `npm install` through
 * scripts/build-wasm.mjs), GEMM threads as worker_threads over shared memory, and relaxed SIMD
 * switched on where Node's V8 has it behind a flag (Node 20: --experimental-wasm-relaxed-simd).
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { createWasmBackend, relaxedSimdSupported, wasmFileName, type WasmBackend, type WasmIsa } from './index.js';
import type { SpawnWorker } from './backend.js';

/** Where scripts/build-wasm.mjs puts the modules, relative to the package root (this file is dist/src/backends/wasm/). */
export const WASM_DIR = fileURLToPath(new URL('../../../../build/wasm/', import.meta.url));

const WORKER_URL = new URL('./worker-node.js', import.meta.url);

function readBuild(isa: WasmIsa, shared: boolean): Uint8Array | null {
  const path = WASM_DIR + wasmFileName(isa, shared);
  return existsSync(path) ? readFileSync(path) : null;
}

const spawnWorker: SpawnWorker = (id, module, memory, control) => {
  const worker = new Worker(WORKER_URL, { workerData: { id, module, memory, control } });
  // A worker spends its life inside wasm, waiting for jobs; it must not keep the process alive.
  worker.unref();
  worker.on('error', (err) => console.error(`aekit wasm worker ${id}: ${err.message}`));
  return worker;
};

/**
 * Node 20's V8 validates relaxed SIMD only behind --experimental-wasm-relaxed-simd (on by default
 * from Node 22). The flag is read at compile time, so setting it here takes effect; the probe
 * module decides. AEKIT_WASM_RELAXED=0 leaves it off.
 */
function enableRelaxedSimd(): void {
  if (relaxedSimdSupported() || process.env['AEKIT_WASM_RELAXED'] === '0') return;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}

export interface NodeWasmOptions {
  readonly threads?: number;
  readonly isa?: WasmIsa | 'auto';
  /** false: plain memory and one thread (what a page without cross-origin isolation gets). */
  readonly shared?: boolean;
  readonly name?: string;
  readonly maxBytes?: number;
}

/** The wasm backend with Node's loader; throws an Error saying why it is unavailable. */
export async function createNodeWasmBackend(options: NodeWasmOptions = {}): Promise<WasmBackend> {
  if (!existsSync(WASM_DIR)) throw new Error(`wasm kernels not built: ${WASM_DIR} is missing (run \`npm run build:wasm\`)`);
  enableRelaxedSimd();
  const shared = options.shared ?? true;
  const threads = shared ? options.threads ?? availableParallelism() : 1;
  return createWasmBackend({
    bytes: readBuild,
    threads,
    shared,
    isa: options.isa ?? 'auto',
    spawnWorker,
    ...(options.name ? { name: options.name } : {}),
    ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
  });
}
