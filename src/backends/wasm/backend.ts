/**
 * The wasm backend: float32 storage in WebAssembly memory, kernels in WebAssembly SIMD128. Tensors'
 * typed arrays are views over that memory. Plain (unshared) memory detaches every view when it
 * grows, so the backend counts growths (`memoryEpoch`) and re-derives a view from its block on
 * request (`refreshView`, which core's Storage calls when the epoch moved); shared memory never
 * detaches views and keeps the epoch at 0.
 */
import type { Backend, DType, TensorInfo, TypedArray } from '../../core/index.js';
import { WasmHeap } from './heap.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';
import type { WasmIsa, WasmKernels } from './module.js';

/** Starts the worker threads of a pool: worker `id` instantiates the module over `memory`, calls `setup(control)` and `workerLoop(id)`. */
export type SpawnWorker = (id: number, module: WasmModule, memory: WasmMemory, control: number) => { terminate(): unknown };

export interface WasmBackendParts {
  readonly module: WasmModule;
  readonly kernels: WasmKernels;
  readonly memory: WasmMemory;
  readonly isa: WasmIsa;
  readonly shared: boolean;
  readonly maxBytes: number;
  /** Absent where threads cannot run (plain memory, or no workers in this runtime). */
  readonly spawnWorker?: SpawnWorker;
  readonly threads: number;
  readonly name?: string;
}

interface Block {
  readonly ptr: number;
  readonly length: number;
}

const CONTROL_BYTES = 128;
/** The control block's word of ready-worker bits (wasm/assembly/threads.ts READY). */
const READY_SLOT = 9;
/** Room for a layout descriptor: rank 1 + 16 dims × (1 + 4 operands). */
const LAYOUT_INTS = 96;


export class WasmBackend implements Backend {
  readonly name: string;
  readonly dtypes: readonly DType[] = ['float32'];
  readonly isa: WasmIsa;
  readonly kernels: WasmKernels;
  readonly heap: WasmHeap;
  private readonly parts: WasmBackendParts;
  private readonly live = new Map<TypedArray, Block>();
  private readonly workers: { terminate(): unknown }[] = [];
  private readonly control: number;
  private scratch = 0;
  private readonly layoutPtr: number;
  private scratchThreads = 0;
  private threadCount = 1;

  constructor(parts: WasmBackendParts) {
    this.parts = parts;
    this.name = parts.name ?? 'wasm';
    this.isa = parts.isa;
    this.kernels = parts.kernels;
    this.heap = new WasmHeap(parts.memory, parts.kernels.heapBase(), parts.shared, parts.maxBytes);
    this.control = this.heap.alloc(CONTROL_BYTES);
    this.layoutPtr = this.heap.alloc(LAYOUT_INTS * 4);
    new Uint8Array(parts.memory.buffer, this.control, CONTROL_BYTES).fill(0);
    parts.kernels.setup(this.control);
    this.setThreads(parts.threads);
  }

  /** Growths of plain memory so far; views made before the last one are detached. */
  get memoryEpoch(): number {
    return this.heap.epoch;
  }

  alloc(dtype: DType, size: number): Float32Array {
    if (dtype !== 'float32') throw new Error(`backend '${this.name}' computes in float32 only, asked for ${dtype}`);
    const ptr = this.heap.alloc(size * 4);
    const view = new Float32Array(this.heap.memory.buffer, ptr, size);
    this.live.set(view, { ptr, length: size });
    return view;
  }

  release(data: TypedArray): void {
    const block = this.live.get(data);
    if (!block) throw new Error(`backend '${this.name}': release() got a buffer it did not hand out, or one released twice`);
    this.live.delete(data);
    this.heap.release(block.ptr, block.length * 4);
  }

  /** The same block seen through the memory's current buffer (after plain memory grew). */
  refreshView(data: TypedArray): TypedArray {
    const block = this.live.get(data);
    if (!block) return data;
    const view = new Float32Array(this.heap.memory.buffer, block.ptr, block.length);
    this.live.delete(data);
    this.live.set(view, block);
    return view;
  }

  /** `data` if it is current, else its refreshed view: kernels call it on outputs made before a later allocation grew memory. */
  current(data: TypedArray): TypedArray {
    return data.buffer === this.heap.memory.buffer ? data : this.refreshView(data);
  }

  /** Byte address of a tensor's storage; throws if the storage is not this backend's. */
  ptr(kernel: string, t: TensorInfo): number {
    const block = this.live.get(t.data);
    if (!block) throw new Error(`kernel '${kernel}' on backend '${this.name}': an input is not in this backend's memory (a ${t.dtype} tensor of another backend, or a disposed one)`);
    return block.ptr;
  }

  /** Write a layout descriptor into the backend's descriptor block; returns its address. */
  layout(values: readonly number[]): number {
    if (values.length > LAYOUT_INTS) throw new Error(`backend '${this.name}': a layout of rank ${values[0]} is beyond what the kernels take`);
    new Int32Array(this.heap.memory.buffer, this.layoutPtr, values.length).set(values);
    return this.layoutPtr;
  }

  liveBuffers(): number {
    return this.live.size;
  }

  /** The same counters as the native pool's: blocks made from fresh memory, live, idle and their bytes. */
  poolStats(): { allocations: number; live: number; pooled: number; pooledBytes: number } {
    const h = this.heap.stats();
    return { allocations: this.heap.fresh, live: this.live.size, pooled: h.freeBlocks, pooledBytes: h.free };
  }

  /** Threads used by large GEMMs (the calling thread included); 1 where memory is not shared. */
  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > 32) throw new Error(`wasm backend: setThreads(n) needs an integer 1..32, got ${n}`);
    const spawn = this.parts.spawnWorker;
    const threads = this.parts.shared && spawn ? n : 1;
    if (threads > this.scratchThreads) {
      if (this.scratch) this.heap.release(this.scratch, this.scratchThreads * this.kernels.scratchBytes());
      this.scratch = this.heap.alloc(threads * this.kernels.scratchBytes());
      this.scratchThreads = threads;
    }
    while (spawn && this.workers.length < threads - 1) {
      this.workers.push(spawn(this.workers.length + 1, this.parts.module, this.parts.memory, this.control));
    }
    this.kernels.setThreads(threads, this.scratch);
    this.threadCount = threads;
  }

  threads(): number {
    return this.threadCount;
  }

  /** Threads able to take part now: the caller and the workers that have started (they boot asynchronously). */
  readyThreads(): number {
    let bits = new Int32Array(this.heap.memory.buffer, this.control, CONTROL_BYTES / 4)[READY_SLOT]! & ~1;
    let n = 1;
    for (; bits; bits &= bits - 1) n++;
    return Math.min(n, this.threadCount);
  }

  /** Stop the worker threads (the backend keeps working on the calling thread alone). */
  close(): void {
    this.kernels.setThreads(1, this.scratch);
    for (const w of this.workers.splice(0)) w.terminate();
    this.threadCount = 1;
  }

  /** GFLOP/s of 12 independent f32x4 FMA chains on this thread (the single-thread peak of this ISA). */
  fmaPeak(iters = 2e7): number {
    const t0 = performance.now();
    this.kernels.fmaLoop(iters, 1);
    return (iters * 12 * 8) / ((performance.now() - t0) * 1e6);
  }

  describe(): Record<string, unknown> {
    return { backend: this.name, isa: this.isa, threads: this.threadCount, sharedMemory: this.parts.shared, memoryBytes: this.heap.byteLength };
  }
}
