/**
 * The native CPU backend: a C++ Node-API addon with packed SGEMM (AVX-512 / AVX2 / scalar chosen
 * at run time), vectorised elementwise kernels, fused dense and optimizer kernels and a thread
 * pool, fused loss kernels. `createNativeBackend()` throws an Error saying why when the addon is missing or fails to
 * load, so `setBackend('auto')` falls back and records the reason.
 */
import { setFlagsFromString } from 'node:v8';
import { loadAddon, type NativeAddon } from './addon.js';
import { NativeBackend } from './backend.js';
import { registerBiasAct } from './kernels/bias-act.js';
import { registerConv } from './kernels/conv.js';
import { registerElementwise } from './kernels/elementwise.js';
import { registerFusedDense } from './kernels/fused-dense.js';
import { registerLosses } from './kernels/loss.js';
import { registerMatMul } from './kernels/matmul.js';
import { registerOptimizers } from './kernels/optim.js';
import { registerReduceLayout } from './kernels/reduce-layout.js';
import { registerWindow } from './kernels/window.js';

export const NATIVE = 'native';

export function registerNativeKernels(addon: NativeAddon, backend: string = NATIVE): void {
  registerElementwise(addon, backend);
  registerReduceLayout(addon, backend);
  registerMatMul(addon, backend);
  registerFusedDense(addon, backend);
  registerBiasAct(addon, backend);
  registerLosses(addon, backend);
  registerOptimizers(addon, backend);
  registerWindow(addon, backend);
  registerConv(addon, backend);
}

let registered = false;

/**
 * V8's parallel scavenger wakes helper threads on every young-generation GC; on a machine with as
 * many cores as GEMM threads they preempt a pool worker, and a GEMM whose worker is away runs at
 * one-thread speed (one parallel call in eight on Model A). A scavenge on the main thread alone
 * costs about 0.5 ms every few dozen steps; the preemptions cost more: Model A 142k → 157k
 * samples/s on 2 cores. `parallel_scavenge` is read at each scavenge, so this takes effect at
 * once. AEKIT_V8_PARALLEL_SCAVENGE=1 leaves V8 as it is.
 */
function quietGcHelpers(): void {
  if (process.env['AEKIT_V8_PARALLEL_SCAVENGE'] !== '1') setFlagsFromString('--no-parallel-scavenge');
}

/** Load the addon, register its kernels (once) and make the backend. */
export function createNativeBackend(): NativeBackend {
  const addon = loadAddon();
  if (!registered) {
    registerNativeKernels(addon);
    quietGcHelpers();
    registered = true;
  }
  return new NativeBackend(addon, NATIVE);
}

export { NativeBackend, type Isa } from './backend.js';
export type { PoolStats } from './pool.js';
export type { NativeAddon } from './addon.js';
