/**
 * The WebAssembly kernel module (built from wasm/assembly/ by scripts/build-wasm.mjs): its exports,
 * its four builds, and the load-time check for relaxed SIMD. Browser-safe: no Node imports; the
 * module is compiled from bytes the host hands over.
 */

import { wasmApi } from './wasm-api.js';

/** Addresses are byte offsets into the module's imported memory; sizes are element counts. */
export interface WasmKernels {
  heapBase(): number;
  scratchBytes(): number;
  setup(control: number): void;
  setThreads(threads: number, scratch: number): void;
  workerLoop(id: number): void;
  fmaLoop(iters: number, seed: number): number;
  unary(op: number, x: number, out: number, n: number): void;
  binary(op: number, a: number, b: number, out: number, layout: number): void;
  where(c: number, a: number, b: number, out: number, layout: number): void;
  stridedCopy(x: number, out: number, layout: number): void;
  reduce(isMax: number, x: number, out: number, outSize: number, acc: number, layout: number): void;
  gemm(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, c: number, bias: number, act: number): void;
  activationGrad(act: number, dy: number, y: number, dz: number, n: number): void;
  columnSums(dz: number, rows: number, cols: number, db: number): void;
  meanLoss(kind: number, z: number, t: number, n: number, value: number, grad: number, dy: number): void;
  sgdUpdate(p: number, g: number, v: number, n: number, lr: number, momentum: number, oneMinusDampening: number, weightDecay: number, nesterov: number, first: number): void;
  adamUpdate(p: number, g: number, m: number, v: number, n: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, eps: number, weightDecay: number, decoupled: number, shrink: number, stepSize: number, bc2Sqrt: number): void;
  rmspropUpdate(p: number, g: number, sq: number, buf: number, n: number, lr: number, alpha: number, oneMinusAlpha: number, eps: number, weightDecay: number, momentum: number): void;
  im2col(x: number, cols: number, geometry: number, padValue: number): void;
  col2im(cols: number, x: number, geometry: number): void;
  maxPool(x: number, y: number, cell: number, geometry: number): void;
  maxPoolGrad(dy: number, cell: number, dx: number, geometry: number): void;
}

/** The instance's exports as kernels, after checking every function the backend calls is there. */
export function kernelsOf(exports: Record<string, unknown>): WasmKernels {
  const missing = KERNEL_EXPORTS.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0 || !hasKernels(exports)) throw new Error(`wasm backend: the module lacks ${missing.join(', ')} (stale build? run \`npm run build:wasm\`)`);
  return exports;
}

function hasKernels(exports: Record<string, unknown>): exports is Record<string, unknown> & WasmKernels {
  return KERNEL_EXPORTS.every((name) => typeof exports[name] === 'function');
}

const KERNEL_EXPORTS: readonly (keyof WasmKernels)[] = [
  'heapBase', 'scratchBytes', 'setup', 'setThreads', 'workerLoop', 'fmaLoop', 'unary', 'binary', 'where', 'stridedCopy', 'reduce', 'gemm',
  'activationGrad', 'columnSums', 'meanLoss', 'sgdUpdate', 'adamUpdate', 'rmspropUpdate', 'im2col', 'col2im', 'maxPool', 'maxPoolGrad',
];

/** 'relaxed' uses relaxed-SIMD's fused multiply-add; 'simd128' multiplies and adds. */
export type WasmIsa = 'relaxed' | 'simd128';

/** File name of each build under build/wasm/: ISA × shared (threads) or plain memory. */
export function wasmFileName(isa: WasmIsa, shared: boolean): string {
  return `aekit-${isa === 'relaxed' ? 'relaxed' : 'simd'}${shared ? '-shared' : ''}.wasm`;
}

/**
 * A module of one function returning f32x4.relaxed_madd of three zero vectors: it validates only
 * where relaxed SIMD is on (Node 20 needs --experimental-wasm-relaxed-simd; Chrome 114+ has it).
 */
function relaxedProbe(): Uint8Array {
  const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]; // v128.const 0
  const body = [0x00, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x0b]; // no locals; relaxed_madd (0x105); end
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
    0x03, 0x02, 0x01, 0x00, // functions: one of type 0
    0x0a, body.length + 2, 0x01, body.length, ...body, // code
  ]);
}

/** True when this runtime validates relaxed-SIMD instructions. */
export function relaxedSimdSupported(): boolean {
  return wasmApi.validate(relaxedProbe());
}
