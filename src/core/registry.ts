/** Kernels registered per (kernel, backend). Registration is an explicit call, never an import side effect. */
import type { KernelFn, KernelName } from './kernels.js';

type KernelTable = { [K in KernelName]?: KernelFn<K> };
const table = new Map<string, KernelTable>();

export function registerKernel<K extends KernelName>(backend: string, name: K, fn: KernelFn<K>): void {
  let kernels = table.get(backend);
  if (!kernels) table.set(backend, (kernels = {}));
  const slot: KernelTable = kernels;
  slot[name] = fn as KernelTable[K];
}

export function hasKernel(backend: string, name: KernelName): boolean {
  return table.get(backend)?.[name] !== undefined;
}

export function getKernel<K extends KernelName>(backend: string, name: K): KernelFn<K> {
  const kernels: KernelTable | undefined = table.get(backend);
  const fn = kernels?.[name];
  if (!fn) throw new Error(`kernel '${name}' is not implemented on backend '${backend}'`);
  return fn;
}

export function kernelsOf(backend: string): KernelName[] {
  return Object.keys(table.get(backend) ?? {}) as KernelName[];
}
