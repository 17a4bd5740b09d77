/**
 * The engine: the active backend, scopes that free intermediates, and kernel dispatch that
 * records a gradient node whenever an input requires a gradient.
 */
import type { Backend } from './backend.js';
import type { DType, TypedArray } from './dtype.js';
import { GRAD_RULES } from './gradients.js';
import type { KernelAttrs, KernelName, TensorInfo } from './kernels.js';
import { getKernel, hasKernel } from './registry.js';
import { assertValidShape, sizeOf, type Shape } from './shape.js';
import { Storage, Tensor } from './tensor.js';

interface BackendEntry {
  readonly priority: number;
  readonly create: () => Backend | Promise<Backend>;
}

const backendEntries = new Map<string, BackendEntry>();
const backendInstances = new Map<string, Backend>();
const fallbackNotes: string[] = [];
let active: Backend | null = null;

export function registerBackend(name: string, create: () => Backend | Promise<Backend>, priority: number): void {
  backendEntries.set(name, { priority, create });
}

export function registeredBackends(): string[] {
  return [...backendEntries.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([n]) => n);
}

/** Choose a backend by name, or 'auto' for the fastest one that loads. Returns the active backend. */
export async function setBackend(name: string): Promise<Backend> {
  if (name === 'auto') {
    fallbackNotes.length = 0;
    for (const candidate of registeredBackends()) {
      try {
        return await setBackend(candidate);
      } catch (err) {
        fallbackNotes.push(`backend '${candidate}' unavailable: ${(err as Error).message}`);
      }
    }
    throw new Error(`no backend could be loaded (${fallbackNotes.join('; ')})`);
  }
  let be = backendInstances.get(name);
  if (!be) {
    const entry = backendEntries.get(name);
    if (!entry) throw new Error(`unknown backend '${name}' (known: ${registeredBackends().join(', ') || 'none'})`);
    be = await entry.create();
    backendInstances.set(name, be);
  }
  active = be;
  return be;
}

/** Why 'auto' skipped faster backends on its last call (empty when it took the first). */
export function backendFallbackNotes(): readonly string[] {
  return fallbackNotes;
}

export function getBackend(): Backend {
  if (!active) throw new Error("no backend is active: call `await setBackend('auto')` first");
  return active;
}

// ---- scopes -------------------------------------------------------------------------------

const scopes: Tensor[][] = [];
const kept = new WeakSet<Tensor>();
let gradEnabled = true;

function track(t: Tensor): Tensor {
  scopes[scopes.length - 1]?.push(t);
  return t;
}

/** Exempt a tensor from the enclosing scopes (parameters, optimizer state, cached data). */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}

/** Run `fn`; every tensor it creates that is not reachable from its result is disposed. */
export function tidy<T>(fn: () => T): T {
  scopes.push([]);
  let result: T;
  try {
    result = fn();
  } finally {
    const scope = scopes.pop()!;
    const survivors = new Set<Tensor>();
    if (result! !== undefined) collectTensors(result!, survivors);
    const parent = scopes[scopes.length - 1];
    for (const t of scope) {
      if (survivors.has(t)) parent?.push(t);
      else if (!kept.has(t)) t.dispose();
    }
  }
  return result;
}

function collectTensors(x: unknown, into: Set<Tensor>, depth = 0): void {
  if (depth > 8 || x === null || typeof x !== 'object') return;
  if (x instanceof Tensor) into.add(x);
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, into, depth + 1);
  else if (x instanceof Map) for (const v of x.values()) collectTensors(v, into, depth + 1);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collectTensors(v, into, depth + 1);
}

/** Run `fn` without recording gradient nodes (evaluation, optimizer updates, gradient rules). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

// ---- tensor creation and dispatch -----------------------------------------------------------

/** Wrap backend storage as a tracked tensor. */
export function wrap(data: TypedArray, shape: Shape, dtype: DType, backend: Backend = getBackend()): Tensor {
  return track(new Tensor(shape, dtype, new Storage(data, backend)));
}

/** A tensor with unspecified contents for the caller to fill through `.data`. */
export function empty(shape: Shape, dtype: DType = 'float32'): Tensor {
  assertValidShape(shape);
  const be = getBackend();
  if (!be.dtypes.includes(dtype)) throw new Error(`backend '${be.name}' does not compute in ${dtype}`);
  return wrap(be.alloc(dtype, sizeOf(shape)), shape, dtype, be);
}

/** A reshaped view that shares storage, with its own gradient node. */
export function viewAs(x: Tensor, shape: Shape): Tensor {
  const out = track(x.view(shape));
  if (gradEnabled && x.requiresGrad) {
    attachGrad(out, 'Reshape', [x], (dy) => [viewAs(dy, x.shape)]);
  }
  return out;
}

/** Give `out` a gradient node computed by `backward` (for fused ops with their own backward). */
export function attachGrad(out: Tensor, op: string, inputs: readonly Tensor[], backward: (dy: Tensor) => readonly (Tensor | null)[]): void {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return;
  out.requiresGrad = true;
  out.node = { op, inputs, backward };
}

export function runKernel<K extends KernelName>(name: K, inputs: readonly Tensor[], attrs: KernelAttrs<K>): Tensor {
  const be = getBackend();
  const kernel = getKernel(be.name, name);
  const raw = kernel(inputs as never, attrs, be) as TensorInfo | TensorInfo[];
  if (Array.isArray(raw)) throw new Error(`kernel '${name}' returns several outputs: call runKernelMulti`);
  const out = wrap(raw.data, raw.shape, raw.dtype, be);
  const rule = GRAD_RULES[name];
  if (rule && gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op: name, inputs, backward: (dy) => rule(dy, inputs, out, attrs as never) };
  }
  return out;
}

/** Dispatch a kernel with several outputs; such kernels are never differentiated. */
export function runKernelMulti<K extends KernelName>(name: K, inputs: readonly Tensor[], attrs: KernelAttrs<K>): Tensor[] {
  const be = getBackend();
  const raw = getKernel(be.name, name)(inputs as never, attrs, be) as TensorInfo | TensorInfo[];
  return (Array.isArray(raw) ? raw : [raw]).map((r) => wrap(r.data, r.shape, r.dtype, be));
}

export function backendHas(name: KernelName): boolean {
  return hasKernel(getBackend().name, name);
}

/** Tensors alive now, for leak tests. */
export function numTensors(): number {
  return Tensor.liveCount();
}
