// The aekit WebAssembly kernels. All arguments are byte addresses in the (imported) memory and
// element counts; the TypeScript side (src/backends/wasm/) allocates, checks shapes and lays out
// descriptors. Built twice by scripts/build-wasm.mjs: SIMD128, and SIMD128 + relaxed-SIMD FMA;
// each for shared memory (threads) and for plain memory.
export { unary, binary, where, stridedCopy, reduce } from './elementwise';
export { activationGrad, columnSums } from './dense';
export { meanLoss } from './loss';
export { sgdUpdate, rmspropUpdate } from './optim';
export { im2col, col2im, maxPool, maxPoolGrad } from './window';
export { setup, setThreads, scratchBytes, workerLoop, gemm, adamUpdate } from './threads';

/** GFLOP/s-style probe: `iters` rounds of 12 independent f32x4 FMA chains (for a peak figure in benchmarks). */
import { fma, splat } from './vmath';
export function fmaLoop(iters: i32, seed: f32): f32 {
  let a0 = splat(seed), a1 = splat(seed + 1), a2 = splat(seed + 2), a3 = splat(seed + 3), a4 = splat(seed + 4), a5 = splat(seed + 5);
  let a6 = splat(seed + 6), a7 = splat(seed + 7), a8 = splat(seed + 8), a9 = splat(seed + 9), a10 = splat(seed + 10), a11 = splat(seed + 11);
  const m = splat(0.999999), c = splat(1e-7);
  for (let i = 0; i < iters; i++) {
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c); a4 = fma(a4, m, c); a5 = fma(a5, m, c);
    a6 = fma(a6, m, c); a7 = fma(a7, m, c); a8 = fma(a8, m, c); a9 = fma(a9, m, c); a10 = fma(a10, m, c); a11 = fma(a11, m, c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)), f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))));
  return f32x4.extract_lane(s, 0);
}

/** First address free for the host's allocator (after this module's static data). */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}
