/**
 * The wasm backend in a browser: GEMM threads as web workers over shared memory where the page (or
 * the worker this runs in) is cross-origin isolated, one thread otherwise. The workers' script is
 * built here as a Blob, so nothing but the module bytes has to be served, and a dedicated worker
 * (where the studio trains) can start them as a page can. No Node imports.
 */
import { createWasmBackend, relaxedSimdSupported, wasmFileName, type WasmBackend, type WasmIsa } from './index.js';
import type { SpawnWorker } from './backend.js';

/** The parts of the web platform used here (the project's TypeScript libraries do not declare the DOM). */
interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  onerror: ((e: { message?: string }) => void) | null;
}
declare const Worker: (new (url: string, options?: { name?: string }) => WebWorker) | undefined;
declare const navigator: { hardwareConcurrency?: number } | undefined;

/**
 * A worker's whole program: instantiate the module over the shared memory, then serve GEMM jobs
 * (`workerLoop` waits in memory.atomic.wait32, which workers may do and a page's main thread may not).
 */
const WORKER_SOURCE = `onmessage = async (e) => {
  const { id, module, memory, control } = e.data;
  const abort = (_m, _f, line, col) => { throw new Error('wasm kernels aborted at line ' + line + ':' + col + ' (worker ' + id + ')'); };
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort } });
  instance.exports.setup(control);
  instance.exports.workerLoop(id);
};`;

let workerUrl: string | null = null;

const spawnWebWorker: SpawnWorker = (id, module, memory, control) => {
  if (typeof Worker !== 'function') throw new Error('wasm backend: this runtime has no Worker');
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(workerUrl, { name: `aekit-wasm-${id}` });
  worker.onerror = (e) => console.error(`aekit wasm worker ${id}: ${e.message ?? 'failed'}`);
  worker.postMessage({ id, module, memory, control });
  return worker;
};

/** True where shared WebAssembly memory and workers exist: a cross-origin-isolated page or worker. */
export function webThreadsAvailable(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer === 'function' && typeof Worker === 'function';
}

export interface WebWasmOptions {
  /**
   * Threads for large GEMMs, the calling one included: 'auto' (default) takes
   * `navigator.hardwareConcurrency` (at most 16) where threads are available and 1 elsewhere; a
   * number above 1 where they are not available falls back to 1 thread.
   */
  readonly threads?: number | 'auto';
  readonly isa?: WasmIsa | 'auto';
  /** Longest wait in ms for the workers to start before the backend is handed over (they join later otherwise). Default 10,000. */
  readonly readyTimeoutMs?: number;
}

/** The wasm backend with the browser's loader: `fetchModule(file)` returns the bytes of build/wasm/FILE. */
export async function createWebWasmBackend(fetchModule: (file: string) => Promise<Uint8Array>, options: WebWasmOptions = {}): Promise<WasmBackend> {
  const wanted = options.threads ?? 'auto';
  if (wanted !== 'auto' && (!Number.isInteger(wanted) || wanted < 1 || wanted > 32)) throw new Error(`wasm backend: threads must be 'auto' or an integer 1..32, got ${String(wanted)}`);
  const threaded = webThreadsAvailable();
  const threads = !threaded ? 1 : wanted === 'auto' ? Math.max(1, Math.min(16, navigator?.hardwareConcurrency ?? 1)) : wanted;
  const shared = threads > 1;
  const isa: WasmIsa = options.isa === undefined || options.isa === 'auto' ? (relaxedSimdSupported() ? 'relaxed' : 'simd128') : options.isa;
  const bytes = await fetchModule(wasmFileName(isa, shared));
  const be = await createWasmBackend({ bytes: () => bytes, isa, threads, shared, ...(shared ? { spawnWorker: spawnWebWorker } : {}) });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
  while (be.readyThreads() < be.threads() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return be;
}
