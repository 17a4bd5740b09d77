/** Sum and Max over sorted axes, and Transpose, through the addon's strided loops. */
import { reducedShape, registerKernel, sizeOf, type KernelFn, type TensorInfo, type KernelContext } from '../../../core/index.js';
import type { NativeAddon } from '../addon.js';
import { broadcastLayout, requireFloat32, transposeLayout } from './util.js';

function reduceKernel(addon: NativeAddon, name: 'Sum' | 'Max') {
  const isMax = name === 'Max' ? 1 : 0;
  return ([x]: [TensorInfo], { axes, keepDims }: { axes: readonly number[]; keepDims: boolean }, ctx: KernelContext): TensorInfo => {
    requireFloat32(name, [x]);
    for (const a of axes) if (!Number.isInteger(a) || a < 0 || a >= x.shape.length) throw new Error(`${name}: axis ${a} is out of range for rank ${x.shape.length}`);
    const kept = reducedShape(x.shape, axes, true);
    const shape = keepDims ? kept : reducedShape(x.shape, axes, false);
    const out = ctx.alloc('float32', sizeOf(kept));
    // The layout's "output" is x's shape and its one operand the kept shape (1 on reduced axes).
    addon.reduce(isMax, x.data, out, broadcastLayout(x.shape, [kept]));
    return { shape, dtype: 'float32', data: out };
  };
}

function transposeKernel(addon: NativeAddon): KernelFn<'Transpose'> {
  return ([x], { perm }, ctx) => {
    requireFloat32('Transpose', [x]);
    const rank = x.shape.length;
    if (perm.length !== rank || [...perm].sort((p, q) => p - q).some((v, i) => v !== i)) throw new Error(`Transpose: ${JSON.stringify(perm)} is not a permutation of ${rank} axes`);
    const shape = perm.map((p) => x.shape[p]!);
    const out = ctx.alloc('float32', x.data.length);
    addon.transpose(x.data, out, transposeLayout(x.shape, perm));
    return { shape, dtype: 'float32', data: out };
  };
}

export function registerReduceLayout(addon: NativeAddon, backend: string): void {
  registerKernel(backend, 'Sum', reduceKernel(addon, 'Sum'));
  registerKernel(backend, 'Max', reduceKernel(addon, 'Max'));
  registerKernel(backend, 'Transpose', transposeKernel(addon));
}
