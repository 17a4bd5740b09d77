/**
 * A size-keyed free list of native float32 buffers. A training step asks for the same sizes every
 * time, so after the first step every alloc is served from the list and nothing new is allocated.
 */
import type { TypedArray } from '../../core/index.js';

/** Counters for tests and benchmarks. */
export interface PoolStats {
  /** Native allocations ever made by this pool (a pool hit makes none). */
  readonly allocations: number;
  /** Buffers handed out and not yet released. */
  readonly live: number;
  /** Buffers waiting in the free lists, and their bytes. */
  readonly pooled: number;
  readonly pooledBytes: number;
}

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  // Marks buffers sitting in a free list, so a second release of the same buffer is caught.
  private readonly idle = new WeakSet<Float32Array>();
  private allocations = 0;
  private live = 0;
  private pooled = 0;
  private pooledBytes = 0;

  /** `allocate(n)` makes a new buffer; idle buffers beyond `maxPooledBytes` are left to the GC. */
  constructor(
    private readonly allocate: (n: number) => Float32Array,
    private readonly maxPooledBytes = 512 * 2 ** 20,
  ) {}

  take(size: number): Float32Array {
    this.live++;
    const list = this.free.get(size);
    const buf = list?.pop();
    if (buf) {
      this.idle.delete(buf);
      this.pooled--;
      this.pooledBytes -= buf.byteLength;
      return buf;
    }
    this.allocations++;
    return this.allocate(size);
  }

  give(data: TypedArray): void {
    if (!(data instanceof Float32Array)) throw new Error('native backend: release() got a buffer it did not allocate (not a Float32Array)');
    if (this.idle.has(data)) throw new Error(`native backend: a buffer of ${data.length} floats was released twice`);
    this.live--;
    if (this.pooledBytes + data.byteLength > this.maxPooledBytes) return;
    let list = this.free.get(data.length);
    if (!list) this.free.set(data.length, (list = []));
    list.push(data);
    this.idle.add(data);
    this.pooled++;
    this.pooledBytes += data.byteLength;
  }

  liveCount(): number {
    return this.live;
  }

  stats(): PoolStats {
    return { allocations: this.allocations, live: this.live, pooled: this.pooled, pooledBytes: this.pooledBytes };
  }

  /** Drop every idle buffer (their memory is freed when the GC collects them). */
  clear(): void {
    this.free.clear();
    this.pooled = 0;
    this.pooledBytes = 0;
  }
}
