/** Im2Col, Col2Im and fused max pooling over NHWC images through the wasm loops. */
import { col2imShape, im2colShape, nhwc, registerKernel, sizeOf, windowOutputSize, type KernelFn, type Window2D } from '../../../core/index.js';
import type { WasmBackend } from '../backend.js';
import { requireFloat32, wasmOf } from './util.js';

/** [B, H, W, C, kh, kw, sh, sw, dh, dw, top, bottom, left, right] in the backend's descriptor block. */
function geometry(be: WasmBackend, w: Window2D, image: readonly number[]): number {
  return be.layout([...image, ...w.kernel, ...w.stride, ...w.dilation, ...w.padding]);
}

const im2col: KernelFn<'Im2Col'> = ([x], { window, padValue }, ctx) => {
  const be = wasmOf('Im2Col', ctx);
  requireFloat32('Im2Col', [x]);
  const shape = im2colShape(window, x.shape);
  const xp = be.ptr('Im2Col', x);
  const out = be.alloc('float32', sizeOf(shape));
  if (out.length > 0) be.kernels.im2col(xp, out.byteOffset, geometry(be, window, x.shape), padValue);
  return { shape, dtype: 'float32', data: out };
};

const col2im: KernelFn<'Col2Im'> = ([cols], { window, size }, ctx) => {
  const be = wasmOf('Col2Im', ctx);
  requireFloat32('Col2Im', [cols]);
  const shape = col2imShape(window, cols.shape, size);
  const cp = be.ptr('Col2Im', cols);
  const out = be.alloc('float32', sizeOf(shape));
  if (out.length > 0) be.kernels.col2im(cp, out.byteOffset, geometry(be, window, shape));
  return { shape, dtype: 'float32', data: out };
};

const maxPool: KernelFn<'MaxPool2D'> = ([x], { window }, ctx) => {
  const be = wasmOf('MaxPool2D', ctx);
  requireFloat32('MaxPool2D', [x]);
  const image = nhwc('MaxPool2D', x.shape);
  const shape = [image[0], ...windowOutputSize(window, [image[1], image[2]]), image[3]];
  const xp = be.ptr('MaxPool2D', x);
  const y = be.alloc('float32', sizeOf(shape));
  const yp = y.byteOffset;
  const cell = be.alloc('float32', sizeOf(shape));
  if (cell.length > 0) be.kernels.maxPool(xp, yp, cell.byteOffset, geometry(be, window, image));
  return [{ shape, dtype: 'float32', data: be.current(y) }, { shape, dtype: 'float32', data: cell }];
};

const maxPoolGrad: KernelFn<'MaxPool2DGrad'> = ([dy, cell], { window, size }, ctx) => {
  const be = wasmOf('MaxPool2DGrad', ctx);
  requireFloat32('MaxPool2DGrad', [dy, cell]);
  const [b, , , c] = nhwc('MaxPool2DGrad', dy.shape);
  const shape: [number, number, number, number] = [b, size[0], size[1], c];
  const [dyp, cp] = [be.ptr('MaxPool2DGrad', dy), be.ptr('MaxPool2DGrad', cell)];
  const dx = be.alloc('float32', sizeOf(shape));
  if (dx.length > 0) be.kernels.maxPoolGrad(dyp, cp, dx.byteOffset, geometry(be, window, shape));
  return { shape, dtype: 'float32', data: dx };
};

export function registerWindow(backend: string): void {
  registerKernel(backend, 'Im2Col', im2col);
  registerKernel(backend, 'Col2Im', col2im);
  registerKernel(backend, 'MaxPool2D', maxPool);
  registerKernel(backend, 'MaxPool2DGrad', maxPoolGrad);
}
