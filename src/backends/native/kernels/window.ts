/** Im2Col and Col2Im through the addon (NHWC, threads over rows and images). */
import { col2imShape, im2colShape, registerKernel, sizeOf, type KernelFn, type Window2D } from '../../../core/index.js';
import type { NativeAddon } from '../addon.js';
import { requireFloat32 } from './util.js';

const geometry = new Int32Array(14);

/** [B, H, W, C, kh, kw, sh, sw, dh, dw, top, bottom, left, right] for the addon. */
function describe(w: Window2D, image: readonly [number, number, number, number]): Int32Array {
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
  registerKernel(backend, 'Im2Col', im2col);
  registerKernel(backend, 'Col2Im', col2im);
}
