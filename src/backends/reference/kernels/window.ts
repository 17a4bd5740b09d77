/** Im2Col and Col2Im over NHWC images: the loops every convolution and pooling op is built on. */
import { col2imShape, im2colShape, registerKernel, sizeOf, windowOutputSize, type KernelFn, type TypedArray, type Window2D } from '../../../core/index.js';

/**
 * Visit every (row, column block, input offset) of a window pass: `f(col, src)` with col the
 * offset of C consecutive column entries and src the offset of C input values, or −1 in padding.
 */
function forEachWindowCell(w: Window2D, b: number, h: number, wd: number, c: number, f: (col: number, src: number) => void): void {
  const [ho, wo] = windowOutputSize(w, [h, wd]);
  const [kh, kw] = w.kernel;
  const rowLen = kh * kw * c;
  for (let n = 0; n < b; n++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const row = ((n * ho + oy) * wo + ox) * rowLen;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * w.stride[0] - w.padding[0] + ky * w.dilation[0];
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * w.stride[1] - w.padding[2] + kx * w.dilation[1];
            const inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
            f(row + (ky * kw + kx) * c, inside ? ((n * h + iy) * wd + ix) * c : -1);
          }
        }
      }
    }
  }
}

export const im2col: KernelFn<'Im2Col'> = ([x], { window, padValue }, ctx) => {
  const shape = im2colShape(window, x.shape);
  const [b, h, wd, c] = x.shape as [number, number, number, number];
  const out = ctx.alloc(x.dtype, sizeOf(shape));
  const d = x.data;
  forEachWindowCell(window, b, h, wd, c, (col, src) => {
    for (let i = 0; i < c; i++) out[col + i] = src < 0 ? padValue : d[src + i]!;
  });
  return { shape, dtype: x.dtype, data: out };
};

export const col2im: KernelFn<'Col2Im'> = ([cols], { window, size }, ctx) => {
  const shape = col2imShape(window, cols.shape, size);
  const [b, h, wd, c] = shape;
  const out: TypedArray = ctx.alloc(cols.dtype, sizeOf(shape));
  out.fill(0);
  const d = cols.data;
  forEachWindowCell(window, b, h, wd, c, (col, src) => {
    if (src >= 0) for (let i = 0; i < c; i++) out[src + i] = out[src + i]! + d[col + i]!;
  });
  return { shape, dtype: cols.dtype, data: out };
};

export function registerWindow(backend: string): void {
  registerKernel(backend, 'Im2Col', im2col);
  registerKernel(backend, 'Col2Im', col2im);
}
