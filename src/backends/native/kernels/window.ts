/** Im2Col and Col2Im through the addon (NHWC, threads over rows and images). */
import { col2imShape, im2colShape, nhwc, registerKernel, sizeOf, windowOutputSize, type KernelFn, type Window2D } from '../../../core/index.js';
import type { NativeAddon } from '../addon.js';
import { requireFloat32 } from './util.js';

const geometry = new Int32Array(14);

/** [B, H, W, C, kh, kw, sh, sw, dh, dw, top, bottom, left, right] for the addon. */
export function describe(w: Window2D, image: readonly [number, number, number, number]): Int32Array {
  geometry.set([...image, ...w.kernel, ...w.stride, ...w.dilation, ...w.padding]);
  return geometry;
}

export function registerWindow(addon: NativeAddon, backend: string): void {
  const im2col: KernelFn<'Im2Col'> = ([x], { window, padValue }, ctx) => {
    requireFloat32('Im2Col', [x]);
    const shape = im2colShape(window, x.shape);
    const out = ctx.alloc('float32', sizeOf(shape));
    addon.im2col(x.data, out, describe(window, x.shape as [number, number, number, number]), padValue);
    return { shape, dtype: 'float32', data: out };
  };
  const col2im: KernelFn<'Col2Im'> = ([cols], { window, size }, ctx) => {
    requireFloat32('Col2Im', [cols]);
    const shape = col2imShape(window, cols.shape, size);
    const out = ctx.alloc('float32', sizeOf(shape));
    addon.col2im(cols.data, out, describe(window, shape));
    return { shape, dtype: 'float32', data: out };
  };
  const maxPool: KernelFn<'MaxPool2D'> = ([x], { window }, ctx) => {
    requireFloat32('MaxPool2D', [x]);
    const image = nhwc('MaxPool2D', x.shape);
    const shape = [image[0], ...windowOutputSize(window, [image[1], image[2]]), image[3]];
    const y = ctx.alloc('float32', sizeOf(shape));
    const cell = ctx.alloc('float32', sizeOf(shape));
    addon.maxPool(x.data, y, cell, describe(window, image));
    return [{ shape, dtype: 'float32', data: y }, { shape, dtype: 'float32', data: cell }];
  };
  const maxPoolGrad: KernelFn<'MaxPool2DGrad'> = ([dy, cell], { window, size }, ctx) => {
    requireFloat32('MaxPool2DGrad', [dy, cell]);
    const [b, , , c] = nhwc('MaxPool2DGrad', dy.shape);
    const shape: [number, number, number, number] = [b, size[0], size[1], c];
    const dx = ctx.alloc('float32', sizeOf(shape));
    addon.maxPoolGrad(dy.data, cell.data, dx, describe(window, shape));
    return { shape, dtype: 'float32', data: dx };
  };
  registerKernel(backend, 'MaxPool2D', maxPool);
  registerKernel(backend, 'MaxPool2DGrad', maxPoolGrad);
  registerKernel(backend, 'Im2Col', im2col);
  registerKernel(backend, 'Col2Im', col2im);
}
