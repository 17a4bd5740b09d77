/** A backend: a name, the dtypes it computes in, and the memory its kernels write into. */
import type { DType, TypedArray } from './dtype.js';

export interface Backend {
  readonly name: string;
  readonly dtypes: readonly DType[];
  /** Storage for `size` elements. Contents are unspecified: kernels write every element. */
  alloc(dtype: DType, size: number): TypedArray;
  /** Give storage back (to a pool, or to the garbage collector). */
  release(data: TypedArray): void;
  /** Number of buffers the backend has handed out and not had back. */
  liveBuffers(): number;
  /** Human-readable details (ISA, threads) recorded with results. */
  describe(): Record<string, unknown>;
  /** Worker threads for backends that have a pool (0: one per core). */
  setThreads?(n: number): void;
  /**
   * Optional fast batch gather: row i of `out` = row indices[i] of `src` (rows of `dim` values).
   * Returns -1, or the position of the first index outside src's rows (then nothing is copied).
   * The data layer's gatherRows is the reference.
   */
  gatherRows?(src: Float32Array, dim: number, indices: Int32Array, out: TypedArray): number;
  /**
   * For backends whose memory can move (plain WebAssembly memory detaches every view when it
   * grows): a counter bumped at each move. A Storage whose view predates the current value asks
   * `refreshView` for a view of the same block over the memory as it is now.
   */
  readonly memoryEpoch?: number;
  refreshView?(data: TypedArray): TypedArray;
}
