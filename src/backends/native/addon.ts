/**
 * Loading the aekit_native Node-API addon (built from native/ by `npm install` through node-gyp)
 * and its typed surface. Storage arguments are float32 typed arrays; the addon throws a TypeError
 * naming the argument when one is not, and a RangeError naming it when a size is not a
 * non-negative integer, a product of sizes overflows, a buffer's length does not match the sizes,
 * or a code (loss kind, op, activation, flag) is outside its set.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TypedArray } from '../../core/index.js';

export type Buf = TypedArray;

export interface NativeAddon {
  alloc(size: number): Float32Array;
  /** [native blocks ever allocated, blocks not yet collected, their bytes] */
  allocStats(): [number, number, number];
  /** Largest power of two (≤ 4096) dividing the buffer's address. */
  byteAlignment(buf: Buf): number;
  setThreads(n: number): void;
  threads(): number;
  setIsa(name: string): void;
  isa(): string;
  /** Comma-separated, best first, e.g. "avx512,avx2,scalar". */
  supportedIsas(): string;
  /** [mr, nr, mc, kc, nc] of the active GEMM. */
  gemmParams(): [number, number, number, number, number];
  /** GFLOP/s of a register-only FMA loop on every pool thread at once: `iters` rounds of 12 vector FMAs each. */
  fmaPeak(iters: number): number;
  unary(op: number, x: Buf, out: Buf): void;
  binary(op: number, a: Buf, b: Buf, out: Buf, layout?: Int32Array): void;
  where(cond: Buf, a: Buf, b: Buf, out: Buf, layout: Int32Array): void;
  broadcastTo(x: Buf, out: Buf, layout: Int32Array): void;
  reduce(isMax: number, x: Buf, out: Buf, layout: Int32Array): void;
  transpose(x: Buf, out: Buf, layout: Int32Array): void;
  /** Row i of out = row indices[i] of src; returns -1, or the position of the first out-of-range index (nothing copied). */
  gatherRows(src: Float32Array, dim: number, indices: Int32Array, out: Buf): number;
  /** cols = Im2Col(x) for geometry [B, H, W, C, kh, kw, sh, sw, dh, dw, top, bottom, left, right]. */
  im2col(x: Buf, cols: Buf, geometry: Int32Array, padValue: number): void;
  /** x = Col2Im(cols), the adjoint, for the same geometry. */
  col2im(cols: Buf, x: Buf, geometry: Int32Array): void;
  /** y = max over each window, cell = the kernel cell of the first maximum (as a float). */
  maxPool(x: Buf, y: Buf, cell: Buf, geometry: Int32Array): void;
  /** dx = each dy added at its window's maximum. */
  maxPoolGrad(dy: Buf, cell: Buf, dx: Buf, geometry: Int32Array): void;
  /** y = act(im2col(x)·wᵀ + b), w (Cout, kh·kw·Cin), for x's window geometry (as im2col). */
  conv2d(x: Buf, w: Buf, b: Buf, y: Buf, geometry: Int32Array, cout: number, act: number): void;
  /** dW, db and (unless dx has length 0) dx of conv2d given dy and its output y. */
  conv2dGrad(dy: Buf, x: Buf, w: Buf, y: Buf, dx: Buf, dw: Buf, db: Buf, geometry: Int32Array, cout: number, act: number): void;
  /** y = act(col2im(x·w) + b), w (Cin, kh·kw·Cout), for y's window geometry. */
  convTranspose2d(x: Buf, w: Buf, b: Buf, y: Buf, geometry: Int32Array, cin: number, act: number): void;
  /** dW, db and (unless dx has length 0) dx of convTranspose2d given dy and its output y. */
  convTranspose2dGrad(dy: Buf, x: Buf, w: Buf, y: Buf, dx: Buf, dw: Buf, db: Buf, geometry: Int32Array, cin: number, act: number): void;
  matmul(a: Buf, b: Buf, out: Buf, m: number, n: number, k: number, transA: number, transB: number): void;
  fusedDense(x: Buf, w: Buf, b: Buf, y: Buf, batch: number, inF: number, outF: number, act: number): void;
  /** dx of length 0 skips the input gradient. */
  fusedDenseGrad(dy: Buf, x: Buf, w: Buf, y: Buf, dx: Buf, dw: Buf, db: Buf, batch: number, inF: number, outF: number, act: number): void;
  /** y = act(x + b), b along rows of `channels` values. */
  biasAct(x: Buf, b: Buf, y: Buf, rows: number, channels: number, act: number): void;
  /** dx = dy ⊙ act'(y), db = Σ_rows dx. */
  biasActGrad(dy: Buf, y: Buf, dx: Buf, db: Buf, rows: number, channels: number, act: number): void;
  /** out[0] = mean loss; kind 0: BCE with logits, 1: MSE. */
  meanLoss(kind: number, x: Buf, t: Buf, out: Buf): void;
  /** out = dy·(σ(x) − t)/N (kind 0) or dy·2(x − t)/N (kind 1). */
  meanLossGrad(kind: number, dy: Buf, x: Buf, t: Buf, out: Buf): void;
  /** value[0] = mean loss and grad = its gradient for dy = 1, in one pass. */
  meanLossAndGrad(kind: number, x: Buf, t: Buf, value: Buf, grad: Buf): void;
  sgdUpdate(p: Buf, g: Buf, v: Buf, lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: number, first: number): void;
  adamUpdate(p: Buf, g: Buf, m: Buf, v: Buf, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, decoupled: number, step: number): void;
  rmspropUpdate(p: Buf, g: Buf, sq: Buf, buf: Buf, lr: number, alpha: number, eps: number, weightDecay: number, momentum: number): void;
}

/** Where node-gyp puts the addon, relative to the package root (this file is dist/src/backends/native/). */
export const ADDON_PATH = fileURLToPath(new URL('../../../../build/Release/aekit_native.node', import.meta.url));

let cached: NativeAddon | null = null;

/** Load the addon once; throws an Error saying why it is unavailable. */
export function loadAddon(): NativeAddon {
  if (cached) return cached;
  if (!existsSync(ADDON_PATH)) {
    throw new Error(`native addon not built: ${ADDON_PATH} is missing (run \`npm run build:native\`; it needs g++ and the Node headers)`);
  }
  try {
    cached = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  } catch (err) {
    throw new Error(`native addon ${ADDON_PATH} failed to load: ${(err as Error).message}`);
  }
  return cached;
}
