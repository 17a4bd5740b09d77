/**
 * Convolution, transposed convolution, pooling and upsampling over NHWC images, written with the
 * Im2Col/Col2Im primitives, the dense op (GEMM with bias and activation, fused where the backend
 * can) and layout ops, so every backend that passes conformance runs them and autograd needs no
 * new rules. Layouts: images (B, H, W, C); convolution kernels (Cout, kh, kw, Cin); transposed
 * convolution kernels (Cin, kh, kw, Cout). A kernel row is ordered (ky, kx, c) like Im2Col's columns.
 * A backend with the fused Conv2D/ConvTranspose2D kernels (and their gradients) runs the same
 * computation a few images at a time without storing the column matrix; `backendHas` picks.
 */
import { attachGrad, backendHas, noGrad, runKernel, runKernelMulti } from './engine.js';
import { biasAct, dense } from './fused.js';
import type { Activation, KernelName, Window2D } from './kernels.js';
import { broadcastTo, col2im, im2col, isFusable, matmul, max, mean, reshape, tensor, transpose, type ActivationName } from './ops.js';
import { fmtShape } from './shape.js';
import type { Tensor } from './tensor.js';
import { makeWindow, nhwc, pair, windowOutputSize, type Pair, type Padding, type WindowSpec } from './window.js';

/** True when a window reads every input position exactly once, in order (a 1×1 stride-1 kernel without padding). */
function isIdentityWindow(w: Window2D): boolean {
  return w.kernel[0] === 1 && w.kernel[1] === 1 && w.stride[0] === 1 && w.stride[1] === 1 && w.padding.every((p) => p === 0);
}

/** x (B, H, W, Cin), w (Cout, kh, kw, Cin), b (Cout) → act(conv(x, w) + b) (B, Ho, Wo, Cout). */
export function conv2d(x: Tensor, w: Tensor, b: Tensor, spec: Omit<WindowSpec, 'kernel'>, act: ActivationName = 'linear'): Tensor {
  const [batch, h, wd, cin] = nhwc('conv2d', x.shape);
  if (w.rank !== 4 || w.shape[3] !== cin) throw new Error(`conv2d: kernel ${fmtShape(w.shape)} does not match ${cin} input channels (expected (Cout, kh, kw, ${cin}))`);
  const [cout, kh, kw] = [w.shape[0]!, w.shape[1]!, w.shape[2]!];
  const window = makeWindow({ ...spec, kernel: [kh, kw] }, [h, wd]);
  const [ho, wo] = windowOutputSize(window, [h, wd]);
  const scatter = scatterWindow(window, [h, wd], [ho, wo]);
  if (scatter && cout < cin) {
    // Fewer output than input channels: multiply first (B·H·W × kh·kw·Cout values instead of
    // Im2Col's B·Ho·Wo × kh·kw·Cin) and add the shifted products with Col2Im.
    const prods = matmul(reshape(x, [batch * h * wd, cin]), flippedKernelMatrix(w)); // (B·H·W, kh·kw·Cout)
    return biasAct(col2im(prods, scatter, [ho, wo]), b, act);
  }
  if (useFused(window, act, 'Conv2D', 'Conv2DGrad')) {
    const y = noGrad(() => runKernel('Conv2D', [x, w, b], { window, activation: act }));
    return withConvGrad(y, 'Conv2D', [x, w, b], (dy, inputGrad) => runKernelMulti('Conv2DGrad', [dy, x, w, y], { window, activation: act, inputGrad }));
  }
  const cols = isIdentityWindow(window) ? reshape(x, [batch * h * wd, cin]) : im2col(x, window);
  const y = dense(cols, reshape(w, [cout, kh * kw * cin]), b, act);
  return reshape(y, [batch, ho, wo, cout]);
}

/**
 * A stride-1 convolution is also a transposed convolution with the kernel flipped: output position
 * o gathers x[o + d·k − p]·w[k] over kernel cells k, and Col2Im with padding p' = d·(K − 1) − p over
 * the output adds product k̄ = K − 1 − k of input i into o = i − d·k̄ + p'. The window of that
 * Col2Im, or null when the convolution is strided or its padding exceeds d·(K − 1).
 */
function scatterWindow(w: Window2D, input: Pair, output: Pair): Window2D | null {
  if (w.stride[0] !== 1 || w.stride[1] !== 1) return null;
  const [eh, ew] = [w.dilation[0] * (w.kernel[0] - 1), w.dilation[1] * (w.kernel[1] - 1)];
  const padding = [eh - w.padding[0], eh - w.padding[1], ew - w.padding[2], ew - w.padding[3]] as const;
  if (padding.some((p) => p < 0)) return null;
  const scatter: Window2D = { kernel: w.kernel, stride: [1, 1], dilation: w.dilation, padding };
  const back = windowOutputSize(scatter, output);
  return back[0] === input[0] && back[1] === input[1] ? scatter : null;
}

/** w (Cout, kh, kw, Cin) → (Cin, kh·kw·Cout) with the kernel cells in reverse order. */
function flippedKernelMatrix(w: Tensor): Tensor {
  const [cout, kh, kw, cin] = w.shape as [number, number, number, number];
  const kk = kh * kw;
  const reverse = noGrad(() => {
    const j = new Array<number>(kk * kk).fill(0);
    for (let i = 0; i < kk; i++) j[i * kk + (kk - 1 - i)] = 1;
    return tensor(j, [kk, kk], w.dtype);
  });
  const cells = reshape(transpose(reshape(w, [cout, kk, cin]), [1, 2, 0]), [kk, cin * cout]); // (kk, Cin·Cout)
  const flipped = reshape(matmul(reverse, cells), [kk, cin, cout]);
  return reshape(transpose(flipped, [1, 0, 2]), [cin, kk * cout]);
}

export interface ConvTransposeSpec {
  stride?: number | Pair;
  dilation?: number | Pair;
  /** 'same' gives output = input × stride (TensorFlow's Conv2DTranspose); a number p is PyTorch's padding. */
  padding?: 'valid' | 'same' | number;
  /** PyTorch's output_padding: extra rows/columns at the bottom/right, each less than the stride. */
  outputPadding?: number | Pair;
}

/** The output size [Ho, Wo] and the window of the convolution a transposed convolution is the adjoint of. */
export function convTransposeGeometry(input: Pair, kernel: Pair, spec: ConvTransposeSpec): { size: [number, number]; window: Window2D } {
  const stride = pair(spec.stride ?? 1);
  const dilation = pair(spec.dilation ?? 1);
  const op = pair(spec.outputPadding ?? 0);
  const p = spec.padding ?? 'valid';
  for (const i of [0, 1] as const) {
    if (!Number.isInteger(op[i]) || op[i] < 0 || op[i] >= Math.max(stride[i], dilation[i])) throw new Error(`convTranspose2d: output padding ${op[i]} must be an integer from 0 to less than the stride or dilation`);
  }
  let size: [number, number];
  if (p === 'same') size = [input[0] * stride[0], input[1] * stride[1]];
  else {
    const pad = p === 'valid' ? 0 : p;
    size = [0, 1].map((i) => (input[i]! - 1) * stride[i]! - 2 * pad + dilation[i]! * (kernel[i]! - 1) + 1 + op[i]!) as [number, number];
  }
  if (size[0] < 1 || size[1] < 1) throw new Error(`convTranspose2d: a ${kernel.join('×')} kernel with padding ${String(p)} gives an empty output from a ${input.join('×')} input`);
  const window = makeWindow({ kernel, stride, dilation, padding: p }, size);
  const back = windowOutputSize(window, size);
  if (back[0] !== input[0] || back[1] !== input[1]) throw new Error(`convTranspose2d: geometry mismatch: ${size.join('×')} maps back to ${back.join('×')}, not ${input.join('×')}`);
  return { size, window };
}

/** x (B, Hi, Wi, Cin), w (Cin, kh, kw, Cout), b (Cout) → act(convᵀ(x, w) + b) (B, Ho, Wo, Cout). */
export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor, spec: ConvTransposeSpec, act: ActivationName = 'linear'): Tensor {
  const [batch, h, wd, cin] = nhwc('convTranspose2d', x.shape);
  if (w.rank !== 4 || w.shape[0] !== cin) throw new Error(`convTranspose2d: kernel ${fmtShape(w.shape)} does not match ${cin} input channels (expected (${cin}, kh, kw, Cout))`);
  const [kh, kw, cout] = [w.shape[1]!, w.shape[2]!, w.shape[3]!];
  const { size, window } = convTransposeGeometry([h, wd], [kh, kw], spec);
  if (useFused(window, act, 'ConvTranspose2D', 'ConvTranspose2DGrad')) {
    const y = noGrad(() => runKernel('ConvTranspose2D', [x, w, b], { window, size, activation: act }));
    return withConvGrad(y, 'ConvTranspose2D', [x, w, b], (dy, inputGrad) => runKernelMulti('ConvTranspose2DGrad', [dy, x, w, y], { window, activation: act, inputGrad }));
  }
  const cols = matmul(reshape(x, [batch * h * wd, cin]), reshape(w, [cin, kh * kw * cout]));
  const y = isIdentityWindow(window) ? reshape(cols, [batch, h, wd, cout]) : col2im(cols, window, size);
  return biasAct(y, b, act);
}

/** The fused kernels pay where there are columns to build (not for a 1×1 stride-1 window) and take the four activations. */
function useFused(window: Window2D, act: ActivationName, forward: KernelName, grad: KernelName): act is Activation {
  return !isIdentityWindow(window) && isFusable(act) && backendHas(forward) && backendHas(grad);
}

/** Gives y, the output of a fused convolution of x, w, b, its backward: `grad` returns [dx, dW, db], dx empty when x needs none. */
function withConvGrad(y: Tensor, op: string, [x, w, b]: [Tensor, Tensor, Tensor], grad: (dy: Tensor, inputGrad: boolean) => Tensor[]): Tensor {
  attachGrad(y, op, [x, w, b], (dy) => {
    const [dx, dw, db] = grad(dy, x.requiresGrad);
    if (x.requiresGrad) return [dx!, dw!, db!];
    dx!.dispose();
    return [null, dw!, db!];
  });
  return y;
}

export interface PoolSpec {
  kernel: number | Pair;
  /** Defaults to the kernel size. */
  stride?: number | Pair;
  padding?: Padding;
}

function poolWindow(spec: PoolSpec, size: Pair): Window2D {
  return makeWindow({ kernel: spec.kernel, stride: spec.stride ?? spec.kernel, padding: spec.padding ?? 'valid' }, size);
}

function poolWindows(x: Tensor, spec: PoolSpec, padValue: number, what: string): { windows: Tensor; out: number[] } {
  const [batch, h, wd, c] = nhwc(what, x.shape);
  const window = poolWindow(spec, [h, wd]);
  const [ho, wo] = windowOutputSize(window, [h, wd]);
  const cols = im2col(x, window, padValue);
  return { windows: reshape(cols, [batch * ho * wo, window.kernel[0] * window.kernel[1], c]), out: [batch, ho, wo, c] };
}

/**
 * Max over each window (padding never wins). With the backend's MaxPool2D kernel the gradient goes
 * to each window's first maximum, as in PyTorch; the composed fallback shares it between ties.
 */
export function maxPool2d(x: Tensor, spec: PoolSpec): Tensor {
  if (!backendHas('MaxPool2D') || !backendHas('MaxPool2DGrad')) return maxPool2dComposed(x, spec);
  const [, h, wd] = nhwc('maxPool2d', x.shape);
  const window = poolWindow(spec, [h, wd]);
  const [y, cell] = noGrad(() => runKernelMulti('MaxPool2D', [x], { window }));
  attachGrad(y!, 'MaxPool2D', [x], (dy) => [runKernel('MaxPool2DGrad', [dy, cell!], { window, size: [h, wd] })]);
  return y!;
}

/** Max pooling from Im2Col (−∞ padding) and Max, the path every backend has. */
export function maxPool2dComposed(x: Tensor, spec: PoolSpec): Tensor {
  const { windows, out } = poolWindows(x, spec, -Infinity, 'maxPool2d');
  return reshape(max(windows, 1), out);
}

/** Mean over each window, padding counted as zeros (PyTorch's count_include_pad). */
export function avgPool2d(x: Tensor, spec: PoolSpec): Tensor {
  const { windows, out } = poolWindows(x, spec, 0, 'avgPool2d');
  return reshape(mean(windows, 1), out);
}

/** Each pixel repeated factor[0] × factor[1] times. */
export function upsampleNearest(x: Tensor, factor: number | Pair): Tensor {
  const [batch, h, wd, c] = nhwc('upsampleNearest', x.shape);
  const [fh, fw] = pair(factor);
  const spread = broadcastTo(reshape(x, [batch, h, 1, wd, 1, c]), [batch, h, fh, wd, fw, c]);
  return reshape(spread, [batch, h * fh, wd * fw, c]);
}

/** Interpolation weights (out, in) of 1-D linear resampling with half-pixel centres (PyTorch's align_corners=False). */
export function linearResampleMatrix(inSize: number, outSize: number): number[] {
  const m = new Array<number>(outSize * inSize).fill(0);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = Math.max((o + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const l = src - i0;
    m[o * inSize + i0]! += 1 - l;
    m[o * inSize + i1]! += l;
  }
  return m;
}

/** Bilinear upsampling by integer factors: two matrix products with the 1-D weights. */
export function upsampleBilinear(x: Tensor, factor: number | Pair): Tensor {
  const [batch, h, wd, c] = nhwc('upsampleBilinear', x.shape);
  const [fh, fw] = pair(factor);
  const [ho, wo] = [h * fh, wd * fw];
  const [ah, aw] = noGrad(() => [tensor(linearResampleMatrix(h, ho), [ho, h], x.dtype), tensor(linearResampleMatrix(wd, wo), [wo, wd], x.dtype)]);
  const rows = matmul(ah!, reshape(transpose(x, [1, 0, 2, 3]), [h, batch * wd * c])); // (Ho, B·W·C)
  const cols = transpose(reshape(rows, [ho, batch, wd, c]), [2, 1, 0, 3]); // (W, B, Ho, C)
  const out = matmul(aw!, reshape(cols, [wd, batch * ho * c])); // (Wo, B·Ho·C)
  return transpose(reshape(out, [wo, batch, ho, c]), [1, 2, 0, 3]);
}
