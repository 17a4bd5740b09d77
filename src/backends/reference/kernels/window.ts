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

/** Output position of each window and the input offset of each of its cells (−1 in padding). */
function forEachWindow(w: Window2D, b: number, h: number, wd: number, c: number, f: (out: number, cells: Int32Array) => void): void {
  const [ho, wo] = windowOutputSize(w, [h, wd]);
  const [kh, kw] = w.kernel;
  const cells = new Int32Array(kh * kw);
  for (let n = 0; n < b; n++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * w.stride[0] - w.padding[0] + ky * w.dilation[0];
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * w.stride[1] - w.padding[2] + kx * w.dilation[1];
            cells[ky * kw + kx] = iy >= 0 && iy < h && ix >= 0 && ix < wd ? ((n * h + iy) * wd + ix) * c : -1;
          }
        }
        f(((n * ho + oy) * wo + ox) * c, cells);
      }
    }
  }
}

export const maxPool2d: KernelFn<'MaxPool2D'> = ([x], { window }, ctx) => {
  const [b, h, wd, c] = x.shape as [number, number, number, number];
  const [ho, wo] = windowOutputSize(window, [h, wd]);
  const shape = [b, ho, wo, c];
  const y = ctx.alloc(x.dtype, sizeOf(shape));
  const cell = ctx.alloc(x.dtype, sizeOf(shape));
  const d = x.data;
  forEachWindow(window, b, h, wd, c, (out, cells) => {
    for (let ch = 0; ch < c; ch++) {
      // The first maximum wins; a NaN wins at once (max propagates NaN).
      let best = -Infinity;
      let at = -1;
      for (let k = 0; k < cells.length; k++) {
        if (cells[k]! < 0) continue;
        const v = d[cells[k]! + ch]!;
        if (Number.isNaN(v)) {
          best = v;
          at = k;
          break;
        }
        if (at < 0 || v > best) {
          best = v;
          at = k;
        }
      }
      y[out + ch] = best;
      cell[out + ch] = Math.max(at, 0);
    }
  });
  return [{ shape, dtype: x.dtype, data: y }, { shape, dtype: x.dtype, data: cell }];
};

export const maxPool2dGrad: KernelFn<'MaxPool2DGrad'> = ([dy, cell], { window, size }, ctx) => {
  const [b, , , c] = dy.shape as [number, number, number, number];
  const shape = [b, size[0], size[1], c];
  const dx = ctx.alloc(dy.dtype, sizeOf(shape));
  dx.fill(0);
  forEachWindow(window, b, size[0], size[1], c, (out, cells) => {
    for (let ch = 0; ch < c; ch++) {
      const src = cells[cell.data[out + ch]!]!;
      if (src >= 0) dx[src + ch] = dx[src + ch]! + dy.data[out + ch]!;
    }
  });
  return { shape, dtype: dy.dtype, data: dx };
};

export function registerWindow(backend: string): void {
  registerKernel(backend, 'MaxPool2D', maxPool2d);
  registerKernel(backend, 'MaxPool2DGrad', maxPool2dGrad);
  registerKernel(backend, 'Im2Col', im2col);
  registerKernel(backend, 'Col2Im', col2im);
}
