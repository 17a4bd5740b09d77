/** Tensor: an n-dimensional array on a backend, with an optional link to the op that produced it. */
import type { Backend } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import type { TensorInfo } from './kernels.js';
import { fmtShape, sizeOf, type Shape } from './shape.js';

/** Backend memory shared by a tensor and its reshaped views. */
export class Storage {
  refs = 1;
  private view: TypedArray;
  private epoch: number;

  constructor(
    data: TypedArray,
    readonly backend: Backend,
  ) {
    this.view = data;
    this.epoch = backend.memoryEpoch ?? 0;
  }

  /** The typed array over the backend's memory, re-derived when that memory moved (WebAssembly memory growth detaches views). */
  get data(): TypedArray {
    const epoch = this.backend.memoryEpoch;
    if (epoch !== undefined && epoch !== this.epoch && this.backend.refreshView) {
      this.view = this.backend.refreshView(this.view);
      this.epoch = epoch;
    }
    return this.view;
  }

  unref(): void {
    if (--this.refs === 0) this.backend.release(this.data);
  }
}

/** How gradients flow back through the op that made a tensor: one entry per input. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  backward(dy: Tensor): readonly (Tensor | null)[];
}

let nextId = 1;
let live = 0;

export class Tensor implements TensorInfo {
  readonly id = nextId++;
  readonly size: number;
  requiresGrad = false;
  node: GradNode | null = null;
  /** Name given by a Module (e.g. `encoder.layers.0.weight`); empty for intermediates. */
  name = '';
  private disposedFlag = false;

  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
    private storage: Storage,
  ) {
    this.size = sizeOf(shape);
    live++;
  }

  get data(): TypedArray {
    if (this.disposedFlag) throw new Error(`tensor ${this.describe()} was used after dispose()`);
    return this.storage.data;
  }

  get backend(): string {
    return this.storage.backend.name;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** A copy of the values as a plain typed array. */
  toArray(): TypedArray {
    return this.data.slice();
  }

  /** Nested JavaScript arrays, for printing and tests. */
  toNested(): unknown {
    const d = this.data;
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return d[offset];
      const n = this.shape[dim]!;
      const step = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, offset + i * step));
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item() needs a tensor with one element, got shape ${fmtShape(this.shape)}`);
    return this.data[0]!;
  }

  /** A tensor of another shape over the same storage (the caller checks sizes). */
  view(shape: Shape): Tensor {
    this.storage.refs++;
    return new Tensor(shape, this.dtype, this.storage);
  }

  /** Replace this tensor's values in place (used by optimizers and loaders). */
  assign(values: ArrayLike<number>): void {
    if (values.length !== this.size) throw new Error(`assign: ${values.length} values for a tensor of size ${this.size}`);
    this.data.set(values);
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.node = null;
    live--;
    this.storage.unref();
  }

  describe(): string {
    return `${this.name || '#' + this.id} ${fmtShape(this.shape)} ${this.dtype}`;
  }

  toString(): string {
    return `Tensor(${this.describe()})`;
  }

  /** Number of tensors created and not yet disposed, across all backends. */
  static liveCount(): number {
    return live;
  }
}
