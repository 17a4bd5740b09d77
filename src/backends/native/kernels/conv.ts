/** Conv2D, ConvTranspose2D and their gradients: the fused, cache-blocked kernels of native/ops-conv.cc. */
import { conv2dSizes, convTranspose2dSizes, fmtShape, registerKernel, sizeOf, type KernelFn, type Shape, type TensorInfo } from '../../../core/index.js';
import type { NativeAddon } from '../addon.js';
import { ACT } from './fused-dense.js';
import { requireFloat32 } from './util.js';
import { describe } from './window.js';

function requireShape(kernel: string, name: string, t: TensorInfo, shape: Shape): void {
  if (t.shape.join() !== shape.join()) throw new Error(`${kernel}: ${name} ${fmtShape(t.shape)} must be ${fmtShape(shape)}`);
}

function conv2dKernel(addon: NativeAddon): KernelFn<'Conv2D'> {
  return ([x, w, b], { window, activation }, ctx) => {
    requireFloat32('Conv2D', [x, w, b]);
    const { image, cout, out } = conv2dSizes('Conv2D', window, x.shape, w.shape, b.shape);
    const shape = [image[0], ...out, cout];
    const y = ctx.alloc('float32', sizeOf(shape));
    addon.conv2d(x.data, w.data, b.data, y, describe(window, image), cout, ACT[activation]);
    return { shape, dtype: 'float32', data: y };
  };
}

function conv2dGradKernel(addon: NativeAddon): KernelFn<'Conv2DGrad'> {
  return ([dy, x, w, y], { window, activation, inputGrad }, ctx) => {
    requireFloat32('Conv2DGrad', [dy, x, w, y]);
    const { image, cout, out } = conv2dSizes('Conv2DGrad', window, x.shape, w.shape);
    const yShape = [image[0], ...out, cout];
    requireShape('Conv2DGrad', 'dy', dy, yShape);
    requireShape('Conv2DGrad', 'y', y, yShape);
    const dxShape = [inputGrad ? image[0] : 0, image[1], image[2], image[3]];
    const [dx, dw, db] = [ctx.alloc('float32', sizeOf(dxShape)), ctx.alloc('float32', sizeOf(w.shape)), ctx.alloc('float32', cout)];
    addon.conv2dGrad(dy.data, x.data, w.data, y.data, dx, dw, db, describe(window, image), cout, ACT[activation]);
    return [{ shape: dxShape, dtype: 'float32', data: dx }, { shape: w.shape, dtype: 'float32', data: dw }, { shape: [cout], dtype: 'float32', data: db }];
  };
}

function convTranspose2dKernel(addon: NativeAddon): KernelFn<'ConvTranspose2D'> {
  return ([x, w, b], { window, size, activation }, ctx) => {
    requireFloat32('ConvTranspose2D', [x, w, b]);
    const { image, cin } = convTranspose2dSizes('ConvTranspose2D', window, size, x.shape, w.shape, b.shape);
    const y = ctx.alloc('float32', sizeOf(image));
    addon.convTranspose2d(x.data, w.data, b.data, y, describe(window, image), cin, ACT[activation]);
    return { shape: image, dtype: 'float32', data: y };
  };
}

function convTranspose2dGradKernel(addon: NativeAddon): KernelFn<'ConvTranspose2DGrad'> {
  return ([dy, x, w, y], { window, activation, inputGrad }, ctx) => {
    requireFloat32('ConvTranspose2DGrad', [dy, x, w, y]);
    if (y.shape.length !== 4) throw new Error(`ConvTranspose2DGrad: expected y (B, Ho, Wo, Cout), got ${fmtShape(y.shape)}`);
    const { image, cin } = convTranspose2dSizes('ConvTranspose2DGrad', window, [y.shape[1]!, y.shape[2]!], x.shape, w.shape);
    requireShape('ConvTranspose2DGrad', 'y', y, image);
    requireShape('ConvTranspose2DGrad', 'dy', dy, image);
    const dxShape = [inputGrad ? x.shape[0]! : 0, x.shape[1]!, x.shape[2]!, cin];
    const [dx, dw, db] = [ctx.alloc('float32', sizeOf(dxShape)), ctx.alloc('float32', sizeOf(w.shape)), ctx.alloc('float32', image[3])];
    addon.convTranspose2dGrad(dy.data, x.data, w.data, y.data, dx, dw, db, describe(window, image), cin, ACT[activation]);
    return [{ shape: dxShape, dtype: 'float32', data: dx }, { shape: w.shape, dtype: 'float32', data: dw }, { shape: [image[3]], dtype: 'float32', data: db }];
  };
}

export function registerConv(addon: NativeAddon, backend: string): void {
  registerKernel(backend, 'Conv2D', conv2dKernel(addon));
  registerKernel(backend, 'Conv2DGrad', conv2dGradKernel(addon));
  registerKernel(backend, 'ConvTranspose2D', convTranspose2dKernel(addon));
  registerKernel(backend, 'ConvTranspose2DGrad', convTranspose2dGradKernel(addon));
}
