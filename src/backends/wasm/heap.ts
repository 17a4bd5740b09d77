/**
 * A block allocator over WebAssembly memory, run by the host (the kernels never allocate). Blocks
 * are 64-byte aligned; freed blocks wait in exact-size lists, since a training step asks for the same
 * sizes every time. When the bump region runs out, free blocks are first merged with their free
 * neighbours and reused by first fit; only then does the memory grow.
 */
import type { WasmMemory } from './wasm-api.js';

const ALIGN = 64;
const PAGE = 65536;

export class WasmHeap {
  private top: number;
  private readonly free = new Map<number, number[]>();
  private freeBytes = 0;
  /** Bumped each time plain (unshared) memory grows, which detaches every view over the old buffer. */
  epoch = 0;
  grownTimes = 0;
  /** Blocks made from fresh memory (a reused block makes none). */
  fresh = 0;

  constructor(
    readonly memory: WasmMemory,
    base: number,
    readonly shared: boolean,
    private readonly maxBytes: number,
  ) {
    this.top = roundUp(base, ALIGN);
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /** A block of at least `bytes` (rounded up to 64); throws an Error when memory cannot grow. */
  alloc(bytes: number): number {
    const size = roundUp(Math.max(bytes, 1), ALIGN);
    const list = this.free.get(size);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.freeBytes -= size;
      return reused;
    }
    if (this.top + size > this.byteLength && this.freeBytes >= size) {
      const fit = this.coalesceAndFit(size);
      if (fit !== null) return fit;
    }
    if (this.top + size > this.byteLength) this.grow(this.top + size);
    return this.bump(size);
  }

  release(ptr: number, bytes: number): void {
    const size = roundUp(Math.max(bytes, 1), ALIGN);
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(ptr);
    this.freeBytes += size;
  }

  /** Bytes in use by blocks (handed out or waiting in the free lists) and free for reuse. */
  stats(): { used: number; free: number; memory: number; freeBlocks: number } {
    let freeBlocks = 0;
    for (const list of this.free.values()) freeBlocks += list.length;
    return { used: this.top, free: this.freeBytes, memory: this.byteLength, freeBlocks };
  }

  private grow(needed: number): void {
    if (needed > this.maxBytes) throw new Error(`wasm backend: out of memory (needs ${needed} bytes; the limit is ${this.maxBytes})`);
    const want = Math.min(this.maxBytes, Math.max(needed, this.byteLength * 1.5));
    const pages = Math.ceil((want - this.byteLength) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (err) {
      throw new Error(`wasm backend: out of memory (cannot grow to ${needed} bytes: ${(err as Error).message})`);
    }
    this.grownTimes++;
    if (!this.shared) this.epoch++;
  }

  /** Merge adjacent free blocks (giving the last back to the bump region), then first fit with a split. */
  private coalesceAndFit(size: number): number | null {
    const blocks: [number, number][] = [];
    for (const [s, ptrs] of this.free) for (const p of ptrs) blocks.push([p, s]);
    blocks.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const [p, s] of blocks) {
      const last = merged[merged.length - 1];
      if (last && last[0] + last[1] === p) last[1] += s;
      else merged.push([p, s]);
    }
    const tail = merged[merged.length - 1];
    if (tail && tail[0] + tail[1] === this.top) {
      this.top = tail[0];
      merged.pop();
    }
    this.free.clear();
    this.freeBytes = 0;
    let found: number | null = null;
    for (const [p, s] of merged) {
      if (found === null && s >= size) {
        found = p;
        if (s > size) this.release(p + size, s - size);
      } else this.release(p, s);
    }
    return found ?? (this.top + size <= this.byteLength ? this.bump(size) : null);
  }

  private bump(size: number): number {
    this.fresh++;
    const ptr = this.top;
    this.top += size;
    return ptr;
  }
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}
