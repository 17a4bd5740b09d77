/** The native backend: float32 storage from a pool of aligned native buffers, kernels in C++. */
import type { Backend, DType, TypedArray } from '../../core/index.js';
import type { NativeAddon } from './addon.js';
import { totalmem } from 'node:os';
import { BufferPool, type PoolStats } from './pool.js';

export type Isa = 'avx512' | 'avx2' | 'scalar';

export class NativeBackend implements Backend {
  readonly name: string;
  readonly dtypes: readonly DType[] = ['float32'];
  private readonly pool: BufferPool;

  constructor(
    readonly addon: NativeAddon,
    name = 'native',
  ) {
    this.name = name;
    // Idle buffers are kept for reuse up to a quarter of the machine's memory (at most 4 GiB): a
    // dropped buffer is freed only when the GC runs, and evaluating a conv net on 1,000 images
    // needs over 1 GiB of intermediates per batch; reusing them also avoids page faults.
    this.pool = new BufferPool((n) => addon.alloc(n), Math.min(4 * 2 ** 30, totalmem() / 4));
  }

  alloc(dtype: DType, size: number): TypedArray {
    if (dtype !== 'float32') throw new Error(`backend '${this.name}' computes in float32 only, asked for ${dtype}`);
    return this.pool.take(size);
  }

  release(data: TypedArray): void {
    this.pool.give(data);
  }

  liveBuffers(): number {
    return this.pool.liveCount();
  }

  poolStats(): PoolStats {
    return this.pool.stats();
  }

  /** Free idle pooled buffers (for long-lived processes whose tensor sizes changed). */
  trimPool(): void {
    this.pool.clear();
  }

  gatherRows(src: Float32Array, dim: number, indices: Int32Array, out: TypedArray): number {
    if (!(out instanceof Float32Array)) throw new Error(`backend '${this.name}': gatherRows needs a float32 output`);
    return this.addon.gatherRows(src, dim, indices, out);
  }

  /** Threads used by GEMM and large elementwise kernels (the calling thread included). */
  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`native backend: setThreads(n) needs an integer 1..64, got ${n}`);
    this.addon.setThreads(n);
  }

  threads(): number {
    return this.addon.threads();
  }

  /** Switch the kernels' instruction set (for tests and benchmarks); throws if the CPU lacks it. */
  setIsa(isa: Isa): void {
    this.addon.setIsa(isa);
  }

  isa(): Isa {
    return this.addon.isa() as Isa;
  }

  supportedIsas(): Isa[] {
    return this.addon.supportedIsas().split(',') as Isa[];
  }

  describe(): Record<string, unknown> {
    const [mr, nr, mc, kc, nc] = this.addon.gemmParams();
    return { backend: this.name, isa: this.isa(), threads: this.threads(), gemm: { mr, nr, mc, kc, nc } };
  }
}
