/**
 * Geometry of 2-D sliding windows (convolution, transposed convolution, pooling) over NHWC
 * images, shared by ops, kernels and layers so every backend agrees on output sizes and checks.
 */
import type { Window2D } from './kernels.js';
import { fmtShape, type Shape } from './shape.js';

export type Pair = readonly [number, number];
/** 'valid' (none), 'same' (output = ⌈input / stride⌉, extra padding at the bottom/right as TensorFlow does), a number for every side, or [top, bottom, left, right]. */
export type Padding = 'valid' | 'same' | number | readonly [number, number, number, number];

export interface WindowSpec {
  kernel: number | Pair;
  stride?: number | Pair;
  dilation?: number | Pair;
  padding?: Padding;
}

/** A size given once for both axes, or per axis. */
export const pair = (v: number | Pair): Pair => (typeof v === 'number' ? [v, v] : v);

function checkPositive(what: string, p: Pair): void {
  if (!p.every((v) => Number.isInteger(v) && v >= 1)) throw new Error(`window: ${what} must be positive integers, got [${p.join(', ')}]`);
}

/** One axis's output length; 0 or less means the window does not fit. */
export function windowOutputLength(size: number, k: number, s: number, d: number, padLo: number, padHi: number): number {
  return Math.floor((size + padLo + padHi - d * (k - 1) - 1) / s) + 1;
}

/** Resolve a window spec for an input of spatial size [H, W]. */
export function makeWindow(spec: WindowSpec, size: Pair): Window2D {
  const kernel = pair(spec.kernel);
  const stride = pair(spec.stride ?? 1);
  const dilation = pair(spec.dilation ?? 1);
  checkPositive('kernel sizes', kernel);
  checkPositive('strides', stride);
  checkPositive('dilations', dilation);
  const p = spec.padding ?? 'valid';
  let padding: readonly [number, number, number, number];
  if (p === 'valid') padding = [0, 0, 0, 0];
  else if (p === 'same') {
    const total = (i: 0 | 1): number => {
      const out = Math.ceil(size[i] / stride[i]);
      return Math.max((out - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1 - size[i], 0);
    };
    const th = total(0);
    const tw = total(1);
    padding = [Math.floor(th / 2), th - Math.floor(th / 2), Math.floor(tw / 2), tw - Math.floor(tw / 2)];
  } else if (typeof p === 'number') padding = [p, p, p, p];
  else padding = p;
  if (!padding.every((v) => Number.isInteger(v) && v >= 0)) throw new Error(`window: padding must be non-negative integers, got [${padding.join(', ')}]`);
  return { kernel, stride, dilation, padding };
}

/** [Ho, Wo] of a window over [H, W]; throws when the window does not fit. */
export function windowOutputSize(w: Window2D, size: Pair): [number, number] {
  const ho = windowOutputLength(size[0], w.kernel[0], w.stride[0], w.dilation[0], w.padding[0], w.padding[1]);
  const wo = windowOutputLength(size[1], w.kernel[1], w.stride[1], w.dilation[1], w.padding[2], w.padding[3]);
  if (ho < 1 || wo < 1) {
    throw new Error(`window: a ${w.kernel.join('×')} kernel (dilation ${w.dilation.join('×')}, padding [${w.padding.join(', ')}]) does not fit a ${size.join('×')} input`);
  }
  return [ho, wo];
}

/** Checks x is (B, H, W, C) and returns its sizes. */
export function nhwc(what: string, shape: Shape): [number, number, number, number] {
  if (shape.length !== 4) throw new Error(`${what}: expected an NHWC tensor (B, H, W, C), got ${fmtShape(shape)}`);
  return [shape[0]!, shape[1]!, shape[2]!, shape[3]!];
}

/** The shape Im2Col gives for x (B, H, W, C). */
export function im2colShape(w: Window2D, x: Shape): [number, number] {
  const [b, h, wd, c] = nhwc('Im2Col', x);
  const [ho, wo] = windowOutputSize(w, [h, wd]);
  return [b * ho * wo, w.kernel[0] * w.kernel[1] * c];
}

/** The shape Col2Im gives for cols (B·Ho·Wo, kh·kw·C) and input size [H, W]; throws on a mismatch. */
export function col2imShape(w: Window2D, cols: Shape, size: Pair): [number, number, number, number] {
  if (cols.length !== 2) throw new Error(`Col2Im: expected a 2-D column matrix, got ${fmtShape(cols)}`);
  const [ho, wo] = windowOutputSize(w, size);
  const kk = w.kernel[0] * w.kernel[1];
  const [rows, width] = [cols[0]!, cols[1]!];
  if (rows % (ho * wo) !== 0 || width % kk !== 0) {
    throw new Error(`Col2Im: columns ${fmtShape(cols)} do not match a ${w.kernel.join('×')} window with ${ho}×${wo} positions`);
  }
  return [rows / (ho * wo), size[0], size[1], width / kk];
}

function convMismatch(kernel: string, expected: string, got: readonly (Shape | undefined)[]): Error {
  return new Error(`${kernel}: expected ${expected}; got ${got.filter((s) => s !== undefined).map((s) => fmtShape(s!)).join(', ')}`);
}

/**
 * Sizes of a fused convolution over x (B, H, W, Cin) with kernel w (Cout, kh, kw, Cin) matching
 * the window and bias b (Cout) when given: the image, Cout and the output [Ho, Wo]; throws naming the mismatch.
 */
export function conv2dSizes(kernel: string, window: Window2D, x: Shape, w: Shape, b?: Shape): { image: [number, number, number, number]; cout: number; out: [number, number] } {
  const ok = x.length === 4 && w.length === 4 && w[1] === window.kernel[0] && w[2] === window.kernel[1] && w[3] === x[3] && (!b || (b.length === 1 && b[0] === w[0]));
  if (!ok) throw convMismatch(kernel, `x (B, H, W, Cin), w (Cout, ${window.kernel.join(', ')}, Cin)${b ? ', b (Cout)' : ''}`, [x, w, b]);
  const image = nhwc(kernel, x);
  return { image, cout: w[0]!, out: windowOutputSize(window, [image[1], image[2]]) };
}

/**
 * Sizes of a fused transposed convolution of x (B, Hi, Wi, Cin) with kernel w (Cin, kh, kw, Cout)
 * onto `size` [Ho, Wo], whose window maps Ho×Wo back to Hi×Wi: the output image and Cin.
 */
export function convTranspose2dSizes(kernel: string, window: Window2D, size: Pair, x: Shape, w: Shape, b?: Shape): { image: [number, number, number, number]; cin: number } {
  const ok = x.length === 4 && w.length === 4 && w[0] === x[3] && w[1] === window.kernel[0] && w[2] === window.kernel[1] && (!b || (b.length === 1 && b[0] === w[3]));
  if (!ok) throw convMismatch(kernel, `x (B, Hi, Wi, Cin), w (Cin, ${window.kernel.join(', ')}, Cout)${b ? ', b (Cout)' : ''}`, [x, w, b]);
  const back = windowOutputSize(window, size);
  if (back[0] !== x[1] || back[1] !== x[2]) throw new Error(`${kernel}: the window maps a ${size.join('×')} output to ${back.join('×')}, not the input's ${x[1]}×${x[2]}`);
  return { image: [x[0]!, size[0], size[1], w[3]!], cin: x[3]! };
}
