/**
 * The wasm backend: every kernel of the contract in WebAssembly SIMD128 (packed GEMM with a 4×8
 * register tile in all transpose combinations, fused dense, loss and optimizer kernels), threads
 * over shared memory where the host can start workers, relaxed-SIMD FMA where the runtime validates
 * it. Browser-safe: the host hands over the module bytes (`src/backends/wasm/node.ts` reads them
 * from build/wasm/ and starts worker_threads in Node).
 */
import { WasmBackend, type SpawnWorker } from './backend.js';
import { registerElementwise } from './kernels/elementwise.js';
import { registerFusedDense } from './kernels/fused-dense.js';
import { registerLosses } from './kernels/loss.js';
import { registerMatMul } from './kernels/matmul.js';
import { registerOptimizers } from './kernels/optim.js';
import { registerReduceLayout } from './kernels/reduce-layout.js';
import { registerWindow } from './kernels/window.js';
import { kernelsOf, relaxedSimdSupported, type WasmIsa } from './module.js';
import { wasmApi } from './wasm-api.js';

export const WASM = 'wasm';

const registeredNames = new Set<string>();

/** Register the wasm kernels under a backend name (once per name); they serve every WasmBackend of that name. */
export function registerWasmKernels(backend: string = WASM): void {
  if (registeredNames.has(backend)) return;
  registeredNames.add(backend);
  registerElementwise(backend);
  registerReduceLayout(backend);
  registerMatMul(backend);
  registerFusedDense(backend);
  registerLosses(backend);
  registerOptimizers(backend);
  registerWindow(backend);
}

export interface WasmBackendOptions {
  /** Module bytes for an ISA and memory kind; return null when that build is not available. */
  readonly bytes: (isa: WasmIsa, shared: boolean) => Uint8Array | null;
  /** Threads for large GEMMs (the caller included); needs shared memory and `spawnWorker`. Default 1. */
  readonly threads?: number;
  /** Use shared memory (needed for threads; in a browser only when cross-origin isolated). Default: when threads > 1. */
  readonly shared?: boolean;
  /** 'auto' (default): relaxed SIMD when the runtime validates it. */
  readonly isa?: WasmIsa | 'auto';
  readonly spawnWorker?: SpawnWorker;
  /** Largest memory in bytes (default 4 GiB less one page for shared memory's reservation, 2 GiB plain). */
  readonly maxBytes?: number;
  /** Backend name (kernels are registered under it); default 'wasm'. */
  readonly name?: string;
}

const PAGE = 65536;

/** Compile and instantiate the kernels over a fresh memory and make a backend; throws an Error saying why it cannot. */
export async function createWasmBackend(options: WasmBackendOptions): Promise<WasmBackend> {
  const threads = options.threads ?? 1;
  const shared = options.shared ?? threads > 1;
  const isa: WasmIsa = options.isa === undefined || options.isa === 'auto' ? (relaxedSimdSupported() ? 'relaxed' : 'simd128') : options.isa;
  if (isa === 'relaxed' && !relaxedSimdSupported()) throw new Error('wasm backend: this runtime does not validate relaxed-SIMD instructions');
  const bytes = options.bytes(isa, shared);
  if (!bytes) throw new Error(`wasm backend: the ${isa}${shared ? ' shared-memory' : ''} build is missing (run \`npm run build:wasm\`)`);
  const maxBytes = options.maxBytes ?? (shared ? 4 * 2 ** 30 - PAGE : 2 * 2 ** 30);
  const maximum = Math.floor(maxBytes / PAGE);
  const memory = new wasmApi.Memory({ initial: 256, maximum, shared });
  const module = await wasmApi.compile(bytes);
  const instance = await wasmApi.instantiate(module, { env: { memory, abort: abortHandler } });
  const kernels = kernelsOf(instance.exports);
  const name = options.name ?? WASM;
  registerWasmKernels(name);
  return new WasmBackend({ module, kernels, memory, isa, shared, maxBytes: maximum * PAGE, threads, name, ...(options.spawnWorker ? { spawnWorker: options.spawnWorker } : {}) });
}

/** AssemblyScript's abort import: only reached by a bug in the kernels (they do no checked arithmetic). */
export function abortHandler(_message: number, _file: number, line: number, column: number): never {
  throw new Error(`wasm kernels aborted at line ${line}:${column}`);
}

export { WasmBackend, type SpawnWorker } from './backend.js';
export { relaxedSimdSupported, wasmFileName, type WasmIsa, type WasmKernels } from './module.js';
