/**
 * Backend conformance, written once: every case runs on every registered backend that loads (and
 * on each instruction set a native backend supports) and is compared with the reference backend
 * computing in float64. What a backend runs comes from data: kernelsOf(name) and backend.dtypes.
 *
 * Tolerance: |got − want| ≤ 1e-5·|want| (+1e-37 for subnormal results); where the result is a
 * difference that may cancel (in-place updates p − lr·u, σ(z) − t) 1e-5·(|want| + size of the terms). Kernels that sum K
 * products (MatMul, FusedDense, FusedDenseGrad, the convolutions) add K·2⁻²⁴·S, S being the same kernel applied to
 * |inputs| — the textbook bound for a K-term float32 dot product.
 *
 * This file is over 300 lines because the case tables are the specification; the runner is short.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ak from '../index.js';
import {
  FUSED_KERNELS, PRIMITIVE_KERNELS, Rng, getKernel, kernelsOf, registeredBackends, sizeOf,
  type Activation, type Backend, type DType, type KernelName, type Shape, type TensorInfo, type TypedArray,
} from '../core/index.js';
import { NativeBackend } from './native/index.js';
import { WASM } from './wasm/index.js';
import { createNodeWasmBackend, type NodeWasmOptions } from './wasm/node.js';

// ---- input generators -------------------------------------------------------------------------

type Gen = (rng: Rng, n: number) => number[];
const fill = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => Math.fround(f(i)));
const uniform = (lo: number, hi: number): Gen => (rng, n) => fill(n, () => lo + (hi - lo) * rng.uniform());
const ints = (lo: number, hi: number): Gen => (rng, n) => fill(n, () => lo + Math.floor((hi - lo + 1) * rng.uniform()));
const withNaN = (g: Gen): Gen => (rng, n) => g(rng, n).map((v, i) => (i % 5 === 2 ? NaN : v));
const SPECIAL_VALUES = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 3e38, -3e38, 1, -1, 0.5, 88.5, -88.5, 100, -100, 1e-4, -1e-4, 2, 0.625, -0.625, 6, -6];
const specials: Gen = (_rng, n) => fill(n, (i) => SPECIAL_VALUES[i % SPECIAL_VALUES.length]!);
// Every (a, b) pair of special values: a cycles slowly, b quickly.
const specialsSlow: Gen = (_rng, n) => fill(n, (i) => SPECIAL_VALUES[Math.floor(i / SPECIAL_VALUES.length) % SPECIAL_VALUES.length]!);

// ---- cases ------------------------------------------------------------------------------------

interface Input {
  readonly shape: Shape;
  readonly gen: Gen;
}
interface Case {
  readonly kernel: KernelName;
  readonly label: string;
  readonly inputs: readonly Input[];
  readonly attrs: object;
  /** Number of products each output sums, for the GEMM tolerance. */
  readonly k?: number;
  /** In-place kernels: the inputs they update, compared instead of outputs. */
  readonly updates?: readonly number[];
  /** Size of the terms behind each output element when it is a difference that may cancel. */
  readonly terms?: (inputs: readonly number[][]) => number[];
}

const cases: Case[] = [];
const add = (kernel: KernelName, label: string, inputs: Input[], attrs: object = {}, extra: Partial<Case> = {}): void => {
  cases.push({ kernel, label, inputs, attrs, ...extra });
};
const fmt = (s: Shape): string => `[${s.join(',')}]`;

const UNARY_RANGE: [KernelName, Gen][] = [
  ['Neg', uniform(-5, 5)], ['Abs', uniform(-5, 5)], ['Sign', ints(-2, 2)], ['Exp', uniform(-105, 90)],
  ['Log', uniform(-1, 30)], ['Log1p', uniform(-1.2, 10)], ['Sqrt', uniform(-1, 100)], ['Tanh', uniform(-12, 12)],
  ['Sigmoid', uniform(-40, 40)], ['Relu', withNaN(uniform(-5, 5))], ['Erf', uniform(-4.5, 4.5)],
];
for (const [kernel, gen] of UNARY_RANGE) {
  for (const n of [1, 7, 17, 255, 257]) add(kernel, `[${n}]`, [{ shape: [n], gen }]);
  add(kernel, '[33,65]', [{ shape: [33, 65], gen }]);
  add(kernel, 'near zero', [{ shape: [100], gen: uniform(-1e-3, 1e-3) }]);
  add(kernel, 'specials', [{ shape: [SPECIAL_VALUES.length], gen: specials }]);
  add(kernel, 'empty', [{ shape: [0, 3], gen }]);
}
add('Cast', 'float32 → float32', [{ shape: [7, 17], gen: uniform(-5, 5) }], { dtype: 'float32' });

const BINARY_GEN: [KernelName, Gen, Gen][] = [
  ['Add', uniform(-10, 10), uniform(-10, 10)], ['Sub', uniform(-10, 10), uniform(-10, 10)],
  ['Mul', uniform(-10, 10), uniform(-10, 10)], ['Div', uniform(-10, 10), uniform(-10, 10)],
  ['Pow', uniform(0, 4), uniform(-3, 3)], ['Maximum', withNaN(uniform(-3, 3)), uniform(-3, 3)],
  ['Minimum', uniform(-3, 3), withNaN(uniform(-3, 3))], ['Greater', ints(-2, 2), ints(-2, 2)],
  ['GreaterEqual', ints(-2, 2), ints(-2, 2)], ['Equal', ints(-2, 2), ints(-2, 2)],
];
const BROADCASTS: [Shape, Shape][] = [
  [[257], [257]], [[255], []], [[], [17]], [[3, 5], [1]], [[2, 3], [1, 1, 1]], [[17, 33], [33]],
  [[17, 1], [17, 33]], [[7, 1, 5], [1, 9, 1]], [[4, 1, 6], [6]], [[0, 3], [3]], [[1], [1]],
];
for (const [kernel, ga, gb] of BINARY_GEN) {
  for (const [sa, sb] of BROADCASTS) add(kernel, `${fmt(sa)} ∘ ${fmt(sb)}`, [{ shape: sa, gen: ga }, { shape: sb, gen: gb }]);
  const n = SPECIAL_VALUES.length ** 2;
  add(kernel, 'specials × specials', [{ shape: [n], gen: specialsSlow }, { shape: [n], gen: specials }]);
}
add('Pow', 'negative base, integer exponent', [{ shape: [64], gen: uniform(-3, 3) }, { shape: [64], gen: ints(-3, 3) }]);

const cond = withNaN(ints(0, 1));
for (const shapes of [[[17, 33], [17, 33], [17, 33]], [[17, 1], [33], []], [[1, 5], [4, 1], [5]], [[257], [257], [1]]] as Shape[][]) {
  add('Where', shapes.map(fmt).join(' '), [{ shape: shapes[0]!, gen: cond }, { shape: shapes[1]!, gen: uniform(-5, 5) }, { shape: shapes[2]!, gen: uniform(-5, 5) }]);
}

const axisSets = (rank: number): number[][] => Array.from({ length: 2 ** rank }, (_, m) => [...Array(rank).keys()].filter((a) => m & (1 << a)));
for (const kernel of ['Sum', 'Max'] as const) {
  for (const axes of axisSets(3)) {
    for (const keepDims of [false, true]) add(kernel, `[7,17,33] axes ${fmt(axes)}${keepDims ? ' keep' : ''}`, [{ shape: [7, 17, 33], gen: uniform(-5, 5) }], { axes, keepDims });
  }
  for (const axes of [[0], [1], [0, 1]]) add(kernel, `[255,257] axes ${fmt(axes)}`, [{ shape: [255, 257], gen: uniform(-5, 5) }], { axes, keepDims: false });
  add(kernel, '[1,17,1] axes [0,2]', [{ shape: [1, 17, 1], gen: uniform(-5, 5) }], { axes: [0, 2], keepDims: false });
  add(kernel, '[3,0,4] axes [1]', [{ shape: [3, 0, 4], gen: uniform(-5, 5) }], { axes: [1], keepDims: false });
  add(kernel, '[100000] all', [{ shape: [100000], gen: uniform(-5, 5) }], { axes: [0], keepDims: false });
}
for (const axes of [[0], [1], [2], [0, 1, 2]]) add('Max', `NaN propagates, axes ${fmt(axes)}`, [{ shape: [7, 17, 33], gen: (r, n) => uniform(-5, 5)(r, n).map((v, i) => (i === 1000 ? NaN : v)) }], { axes, keepDims: false });

const PERMS: [Shape, number[]][] = [
  [[17, 33], [1, 0]], [[255, 257], [1, 0]], [[1, 257], [1, 0]], [[3, 5, 7, 9], [3, 1, 0, 2]], [[3, 5, 7, 9], [0, 2, 1, 3]], [[3, 5, 7, 9], [2, 3, 0, 1]],
  ...[[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]].map((p): [Shape, number[]] => [[7, 17, 33], p]),
];
for (const [shape, perm] of PERMS) add('Transpose', `${fmt(shape)} perm ${fmt(perm)}`, [{ shape, gen: uniform(-5, 5) }], { perm });
for (const [from, to] of [[[17], [7, 17]], [[7, 1], [7, 33]], [[], [4, 5]], [[3, 1, 5], [2, 3, 4, 5]], [[1], [1]]] as Shape[][]) {
  add('BroadcastTo', `${fmt(from!)} → ${fmt(to!)}`, [{ shape: from!, gen: uniform(-5, 5) }], { shape: to });
}

// Windows: [B, H, W, C], kernel, stride, dilation, padding [top, bottom, left, right].
const WINDOWS: [Shape, [number, number], [number, number], [number, number], [number, number, number, number]][] = [
  [[2, 5, 6, 3], [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]], [[3, 7, 7, 2], [3, 3], [2, 2], [1, 1], [0, 1, 0, 1]],
  [[2, 8, 8, 4], [2, 2], [2, 2], [1, 1], [0, 0, 0, 0]], [[1, 9, 7, 1], [3, 2], [2, 1], [2, 3], [2, 0, 1, 3]],
  [[4, 4, 4, 17], [1, 1], [1, 1], [1, 1], [0, 0, 0, 0]], [[1, 3, 3, 5], [5, 5], [1, 1], [1, 1], [2, 2, 2, 2]], [[130, 6, 6, 3], [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]],
  // Pooling as the conv nets use it: windows tiling the image (the backward assigns), with vector tails, and an odd size leaving a row and column uncovered.
  [[3, 6, 10, 33], [2, 2], [2, 2], [1, 1], [0, 0, 0, 0]], [[2, 7, 7, 32], [2, 2], [2, 2], [1, 1], [0, 0, 0, 0]],
];
for (const [shape, kernel, stride, dilation, padding] of WINDOWS) {
  const window = { kernel, stride, dilation, padding };
  const label = `${fmt(shape)} k${kernel.join('×')} s${stride.join('×')} d${dilation.join('×')} p${fmt(padding)}`;
  for (const padValue of [0, -Infinity]) add('Im2Col', `${label} pad ${padValue}`, [{ shape, gen: uniform(-5, 5) }], { window, padValue });
  const cols = ak.im2colShape(window, shape);
  add('Col2Im', label, [{ shape: cols, gen: uniform(-5, 5) }], { window, size: [shape[1], shape[2]] }, { k: kernel[0] * kernel[1] });
  add('MaxPool2D', label, [{ shape, gen: uniform(-5, 5) }], { window });
  add('MaxPool2D', `${label} ties and NaN`, [{ shape, gen: (r, n) => ints(-2, 2)(r, n).map((v, i) => (i % 13 === 5 ? NaN : v)) }], { window });
  const [ho, wo] = ak.windowOutputSize(window, [shape[1]!, shape[2]!]);
  const out = [shape[0]!, ho, wo, shape[3]!];
  add('MaxPool2DGrad', label, [{ shape: out, gen: uniform(-5, 5) }, { shape: out, gen: ints(0, kernel[0] * kernel[1] - 1) }], { window, size: [shape[1], shape[2]] }, { k: kernel[0] * kernel[1] });
}

const GEMM_SIZES = [[1, 1, 1], [7, 17, 255], [17, 7, 257], [255, 257, 17], [13, 1000, 33], [1, 257, 300], [257, 1, 7], [5, 6, 0], [0, 4, 3], [129, 300, 257]];
for (const [m, n, k] of GEMM_SIZES as [number, number, number][]) {
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
    const a = { shape: ta ? [k, m] : [m, k], gen: uniform(-1, 1) };
    const b = { shape: tb ? [n, k] : [k, n], gen: uniform(-1, 1) };
    add('MatMul', `${m}×${n}×${k} ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'}`, [a, b], { transposeA: ta, transposeB: tb }, { k });
  }
}

// Outputs y of each activation, for FusedDenseGrad (act' is read from y).
const Y_GEN: Record<Activation, Gen> = {
  linear: uniform(-3, 3), relu: (r, n) => uniform(-1, 3)(r, n).map((v) => Math.max(v, 0)), sigmoid: uniform(0.01, 0.99), tanh: uniform(-0.99, 0.99),
};
for (const activation of ['linear', 'relu', 'sigmoid', 'tanh'] as const) {
  for (const [batch, inF, outF] of [[1, 7, 17], [17, 255, 33], [64, 300, 257], [4, 0, 3]] as [number, number, number][]) {
    const x = { shape: [batch, inF], gen: uniform(-1, 1) };
    const w = { shape: [outF, inF], gen: uniform(-1, 1) };
    const label = `${activation} B=${batch} in=${inF} out=${outF}`;
    add('FusedDense', label, [x, w, { shape: [outF], gen: uniform(-1, 1) }], { activation }, { k: inF + 1 });
    const gradInputs = [{ shape: [batch, outF], gen: uniform(-1, 1) }, x, w, { shape: [batch, outF], gen: Y_GEN[activation] }];
    add('FusedDenseGrad', label, gradInputs, { activation, inputGrad: true }, { k: Math.max(batch, outF) });
    add('FusedDenseGrad', `${label} no dx`, gradInputs, { activation, inputGrad: false }, { k: Math.max(batch, outF) });
  }
}

// Bias and activation along the last axis: vector tails, few channels (taken several rows at a
// time, with rows left over), 4-D image batches, empty.
for (const activation of ['linear', 'relu', 'sigmoid', 'tanh'] as const) {
  for (const shape of [[7, 17], [5, 1], [3, 28, 28, 1], [1000, 3], [3, 9, 11, 32], [2, 7, 7, 33], [0, 5]] as Shape[]) {
    const c = shape[shape.length - 1]!;
    const label = `${activation} ${fmt(shape)}`;
    add('BiasAct', label, [{ shape, gen: uniform(-3, 3) }, { shape: [c], gen: uniform(-1, 1) }], { activation });
    add('BiasActGrad', label, [{ shape, gen: uniform(-1, 1) }, { shape, gen: Y_GEN[activation] }], { activation }, { k: sizeOf(shape) / Math.max(c, 1) });
  }
}

// Fused convolutions: chunk edges (batches that are not a multiple of the images per chunk, one
// image), 1, 3 and 32 input channels, 1, 17 and 32 output channels, stride, padding, dilation, a
// 1×1 window, and every activation on the shapes of the conv net.
const CONVS: [Shape, number, [number, number], [number, number], [number, number], [number, number, number, number]][] = [
  [[5, 14, 14, 32], 32, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]], [[3, 9, 8, 32], 17, [3, 3], [1, 1], [1, 1], [0, 0, 0, 0]],
  [[7, 6, 7, 3], 17, [3, 3], [2, 2], [1, 1], [0, 1, 0, 1]], [[1, 5, 5, 1], 1, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]],
  [[2, 9, 9, 3], 32, [3, 3], [1, 1], [2, 2], [2, 2, 2, 2]], [[2, 9, 7, 32], 1, [3, 2], [2, 1], [2, 3], [2, 0, 1, 3]],
  [[6, 28, 28, 1], 32, [3, 3], [1, 1], [1, 1], [1, 1, 1, 1]], [[2, 4, 4, 5], 3, [1, 1], [1, 1], [1, 1], [0, 0, 0, 0]],
];
CONVS.forEach(([x, cout, kernel, stride, dilation, padding], i) => {
  const window = { kernel, stride, dilation, padding };
  const [ho, wo] = ak.windowOutputSize(window, [x[1]!, x[2]!]);
  const y = [x[0]!, ho, wo, cout];
  const kk = kernel[0] * kernel[1];
  for (const activation of i < 2 ? (['linear', 'relu', 'sigmoid', 'tanh'] as const) : (['relu'] as const)) {
    const label = `${activation} x${fmt(x)} Cout ${cout} k${kernel.join('×')} s${stride.join('×')} d${dilation.join('×')} p${fmt(padding)}`;
    const w = { shape: [cout, ...kernel, x[3]!], gen: uniform(-1, 1) };
    add('Conv2D', label, [{ shape: x, gen: uniform(-1, 1) }, w, { shape: [cout], gen: uniform(-1, 1) }], { window, activation }, { k: kk * x[3]! + 1 });
    const grad = [{ shape: y, gen: uniform(-1, 1) }, { shape: x, gen: uniform(-1, 1) }, w, { shape: y, gen: Y_GEN[activation] }];
    for (const inputGrad of [true, false]) add('Conv2DGrad', `${label}${inputGrad ? '' : ' no dx'}`, grad, { window, activation, inputGrad }, { k: Math.max(y[0]! * ho * wo, kk * cout) });
  }
});
// Transposed convolutions: [x, Cout, kernel, spec], the conv net's 7→14 and 14→28 layers among them.
const CONV_TRANSPOSES: [Shape, number, [number, number], ak.ConvTransposeSpec][] = [
  [[5, 14, 14, 32], 32, [3, 3], { stride: 2, padding: 'same' }], [[3, 7, 7, 32], 32, [3, 3], { stride: 2, padding: 'same' }],
  [[3, 4, 5, 3], 17, [3, 3], { stride: 2, padding: 1, outputPadding: 1 }], [[1, 3, 3, 1], 1, [4, 2], { stride: [2, 3], dilation: [1, 2] }],
  [[2, 5, 5, 3], 4, [3, 3], { dilation: 2, padding: 2 }], [[2, 4, 4, 5], 3, [1, 1], {}],
];
CONV_TRANSPOSES.forEach(([x, cout, kernel, spec], i) => {
  const { size, window } = ak.convTransposeGeometry([x[1]!, x[2]!], kernel, spec);
  const y = [x[0]!, ...size, cout];
  const kk = kernel[0] * kernel[1];
  for (const activation of i < 1 ? (['linear', 'relu', 'sigmoid', 'tanh'] as const) : (['tanh'] as const)) {
    const label = `${activation} x${fmt(x)} Cout ${cout} k${kernel.join('×')} ${JSON.stringify(spec)}`;
    const w = { shape: [x[3]!, ...kernel, cout], gen: uniform(-1, 1) };
    add('ConvTranspose2D', label, [{ shape: x, gen: uniform(-1, 1) }, w, { shape: [cout], gen: uniform(-1, 1) }], { window, size, activation }, { k: kk * x[3]! + 1 });
    const grad = [{ shape: y, gen: uniform(-1, 1) }, { shape: x, gen: uniform(-1, 1) }, w, { shape: y, gen: Y_GEN[activation] }];
    for (const inputGrad of [true, false]) add('ConvTranspose2DGrad', `${label}${inputGrad ? '' : ' no dx'}`, grad, { window, activation, inputGrad }, { k: Math.max(x[0]! * x[1]! * x[2]!, kk * cout, sizeOf(y) / cout) });
  }
});

for (const [n, shape] of [[1, [1]], [257, [257]], [561, [17, 33]], [200704, [256, 784]]] as [number, Shape][]) {
  const target = uniform(0, 1);
  add('BceWithLogitsLoss', fmt(shape), [{ shape, gen: uniform(-30, 30) }, { shape, gen: target }]);
  add('MseLoss', fmt(shape), [{ shape, gen: uniform(-2, 2) }, { shape, gen: target }]);
  const dy = { shape: [], gen: uniform(0.5, 2) };
  // dz = dy·(σ(z) − t)/N cancels where σ(z) ≈ t: compare against the size of the terms.
  const terms = ([d, , t]: readonly number[][]): number[] => t!.map((ti) => (Math.abs(d![0]!) * (1 + Math.abs(ti))) / n);
  add('BceWithLogitsLossGrad', fmt(shape), [dy, { shape, gen: uniform(-30, 30) }, { shape, gen: target }], {}, { terms });
  add('MseLossGrad', `n=${n}`, [dy, { shape, gen: uniform(-2, 2) }, { shape, gen: target }]);
  const termsOne = ([, t]: readonly number[][]): number[] => t!.map((ti) => (1 + Math.abs(ti)) / n);
  add('BceWithLogitsLossAndGrad', fmt(shape), [{ shape, gen: uniform(-30, 30) }, { shape, gen: target }], {}, { terms: termsOne });
  add('MseLossAndGrad', fmt(shape), [{ shape, gen: uniform(-2, 2) }, { shape, gen: target }]);
}

const param = uniform(-1, 1);
const positive = uniform(0, 1e-2);
for (const n of [1, 17, 257, 70000]) {
  const sgd = (v: Shape): Input[] => [{ shape: [n], gen: param }, { shape: [n], gen: param }, { shape: v, gen: param }];
  const sgdBase = { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, first: false };
  add('SgdUpdate', `n=${n} plain`, sgd([0]), { ...sgdBase, momentum: 0 }, { updates: [0] });
  add('SgdUpdate', `n=${n} momentum, first step`, sgd([n]), { ...sgdBase, first: true }, { updates: [0, 2] });
  add('SgdUpdate', `n=${n} momentum, dampening, decay`, sgd([n]), { ...sgdBase, dampening: 0.1, weightDecay: 0.01 }, { updates: [0, 2] });
  add('SgdUpdate', `n=${n} nesterov`, sgd([n]), { ...sgdBase, nesterov: true, weightDecay: 0.01 }, { updates: [0, 2] });
  const adam = [param, param, param, positive].map((gen) => ({ shape: [n], gen }));
  const adamBase = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 1 };
  add('AdamUpdate', `n=${n} step 1`, adam, adamBase, { updates: [0, 2, 3] });
  add('AdamUpdate', `n=${n} step 10, L2 decay`, adam, { ...adamBase, step: 10, weightDecay: 0.01 }, { updates: [0, 2, 3] });
  add('AdamUpdate', `n=${n} AdamW`, adam, { ...adamBase, step: 3, weightDecay: 0.01, decoupled: true }, { updates: [0, 2, 3] });
  const rms = (b: Shape): Input[] => [{ shape: [n], gen: param }, { shape: [n], gen: param }, { shape: [n], gen: positive }, { shape: b, gen: param }];
  add('RmspropUpdate', `n=${n} plain`, rms([0]), { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0 }, { updates: [0, 2] });
  add('RmspropUpdate', `n=${n} momentum, decay`, rms([n]), { lr: 1e-2, alpha: 0.9, eps: 1e-8, weightDecay: 0.01, momentum: 0.9 }, { updates: [0, 2, 3] });
}

// ---- runner -----------------------------------------------------------------------------------

function call(be: Backend, kernel: KernelName, inputs: TensorInfo[], attrs: object): TensorInfo[] {
  const out = getKernel(be.name, kernel)(inputs as never, attrs as never, be) as TensorInfo | TensorInfo[];
  return Array.isArray(out) ? out : [out];
}

function make(be: Backend, dtype: DType, shape: Shape, values: readonly number[]): TensorInfo {
  const data = be.alloc(dtype, sizeOf(shape));
  data.set(values);
  return { shape, dtype, data };
}

/** Index and description of the worst violation, or null when every element is within tolerance. */
function mismatch(got: TypedArray, want: TypedArray, terms: readonly number[] | null, bound: TypedArray | null, k: number): string | null {
  for (let i = 0; i < want.length; i++) {
    const w = Math.fround(want[i]!);
    const g = got[i]!;
    const tol = 1e-5 * (Math.abs(w) + Math.abs(terms?.[i] ?? 0)) + 1e-37 + (bound ? k * 2 ** -24 * bound[i]! : 0);
    const bad = Number.isNaN(w) || Number.isNaN(g) ? Number.isNaN(w) !== Number.isNaN(g) : !Number.isFinite(w) || !Number.isFinite(g) ? w !== g : Math.abs(g - w) > tol;
    if (bad) return `element ${i}: got ${g}, want ${w} (tolerance ${tol.toExponential(2)})`;
  }
  return null;
}

// The reference keeps the composed path for the fused convolutions (they are optional kernels it
// does not register): its oracle for them is that composition, built from its own kernels.
const reshaped = (t: TensorInfo, shape: Shape): TensorInfo => ({ ...t, shape });
type ConvAttrs = { window: ak.Window2D; activation: Activation; inputGrad?: boolean; size?: readonly [number, number] };
const COMPOSED: Partial<Record<KernelName, (be: Backend, inputs: TensorInfo[], attrs: ConvAttrs) => TensorInfo[]>> = {
  Conv2D: (be, [x, w, b], { window, activation }) => {
    const [cout, kh, kw, cin] = w!.shape as [number, number, number, number];
    const [y] = call(be, 'FusedDense', [call(be, 'Im2Col', [x!], { window, padValue: 0 })[0]!, reshaped(w!, [cout, kh * kw * cin]), b!], { activation });
    return [reshaped(y!, [x!.shape[0]!, ...ak.windowOutputSize(window, [x!.shape[1]!, x!.shape[2]!]), cout])];
  },
  Conv2DGrad: (be, [dy, x, w, y], { window, activation, inputGrad }) => {
    const [cout, kh, kw, cin] = w!.shape as [number, number, number, number];
    const cols = call(be, 'Im2Col', [x!], { window, padValue: 0 })[0]!;
    const rows = cols.shape[0]!;
    const [dcols, dw, db] = call(be, 'FusedDenseGrad', [reshaped(dy!, [rows, cout]), cols, reshaped(w!, [cout, kh * kw * cin]), reshaped(y!, [rows, cout])], { activation, inputGrad: true });
    const dx = inputGrad ? call(be, 'Col2Im', [dcols!], { window, size: [x!.shape[1]!, x!.shape[2]!] })[0]! : { ...x!, shape: [0, ...x!.shape.slice(1)], data: x!.data.slice(0, 0) };
    return [dx, reshaped(dw!, w!.shape), db!];
  },
  ConvTranspose2D: (be, [x, w, b], { window, size, activation }) => {
    const [cin, kh, kw, cout] = w!.shape as [number, number, number, number];
    const cols = call(be, 'MatMul', [reshaped(x!, [sizeOf(x!.shape) / cin, cin]), reshaped(w!, [cin, kh * kw * cout])], { transposeA: false, transposeB: false })[0]!;
    return call(be, 'BiasAct', [call(be, 'Col2Im', [cols], { window, size: size! })[0]!, b!], { activation });
  },
  ConvTranspose2DGrad: (be, [dy, x, w, y], { window, activation, inputGrad }) => {
    const [cin, kh, kw, cout] = w!.shape as [number, number, number, number];
    const [dz, db] = call(be, 'BiasActGrad', [dy!, y!], { activation });
    const cols = call(be, 'Im2Col', [dz!], { window, padValue: 0 })[0]!; // (B·Hi·Wi, kh·kw·Cout)
    const x2 = reshaped(x!, [cols.shape[0]!, cin]);
    const w2 = reshaped(w!, [cin, kh * kw * cout]);
    const dx = inputGrad ? reshaped(call(be, 'MatMul', [cols, w2], { transposeA: false, transposeB: true })[0]!, x!.shape) : { ...x!, shape: [0, ...x!.shape.slice(1)], data: x!.data.slice(0, 0) };
    return [dx, reshaped(call(be, 'MatMul', [x2, cols], { transposeA: true, transposeB: false })[0]!, w!.shape), db!];
  },
};

/** The oracle's result: its own kernel, or the composition it runs instead of a fused kernel it does not have. */
function callOracle(be: Backend, kernel: KernelName, inputs: TensorInfo[], attrs: object): TensorInfo[] {
  const composed = kernelsOf(be.name).includes(kernel) ? undefined : COMPOSED[kernel];
  return composed ? composed(be, inputs, attrs as ConvAttrs) : call(be, kernel, inputs, attrs);
}

/** Run one case on `be` and on the oracle; returns a failure message or null. */
function check(c: Case, be: Backend, oracle: Backend, index: number): string | null {
  const oracleDtype: DType = oracle.dtypes.includes('float64') ? 'float64' : 'float32';
  const values = c.inputs.map((inp, i) => inp.gen(new Rng(1000 * index + i), sizeOf(inp.shape)));
  const mine = c.inputs.map((inp, i) => make(be, 'float32', inp.shape, values[i]!));
  const theirs = c.inputs.map((inp, i) => make(oracle, oracleDtype, inp.shape, values[i]!));
  const got = call(be, c.kernel, mine, c.attrs);
  const want = callOracle(oracle, c.kernel, theirs, c.attrs);
  // The same kernel on |inputs| bounds the rounding of each sum of products.
  const abs = c.k === undefined ? null : callOracle(oracle, c.kernel, theirs.map((t) => ({ ...t, data: t.data.map(Math.abs) })), { ...c.attrs, activation: 'linear' });
  const pairs: [TensorInfo, TensorInfo, TensorInfo | null, number[] | null][] = c.updates
    ? c.updates.map((i) => [mine[i]!, theirs[i]!, null, values[i]!])
    : want.map((w, i) => [got[i]!, w, abs?.[i] ?? null, c.terms?.(values) ?? null]);
  let failure: string | null = got.length === want.length ? null : `${got.length} outputs, want ${want.length}`;
  for (const [g, w, b, terms] of pairs) {
    if (failure) break;
    if (g.shape.join() !== w.shape.join() || g.data.length !== w.data.length) failure = `shape ${fmt(g.shape)}, want ${fmt(w.shape)}`;
    else failure = mismatch(g.data, w.data, terms, b?.data ?? null, c.k ?? 0);
  }
  for (const t of [...mine, ...got]) be.release(t.data);
  return failure;
}

interface Variant {
  readonly label: string;
  readonly backend: Backend;
  /** Switch to this variant before its cases run (a native ISA). */
  readonly enter: () => void;
}

// The wasm backend runs as three instances: relaxed-SIMD FMA and plain SIMD128, both threaded over
// shared memory, and the single-threaded plain-memory build a page without cross-origin isolation gets.
const WASM_VARIANTS: [string, NodeWasmOptions][] = [['wasm/relaxed', { isa: 'relaxed', threads: 2 }], ['wasm/simd128', { isa: 'simd128', threads: 2 }], ['wasm/plain-memory', { shared: false }]];

async function variants(): Promise<{ ok: Variant[]; unavailable: [string, string][] }> {
  const ok: Variant[] = [];
  const unavailable: [string, string][] = [];
  for (const [label, options] of WASM_VARIANTS) {
    try {
      ok.push({ label, backend: await createNodeWasmBackend(options), enter: () => {} });
    } catch (err) {
      unavailable.push([label, (err as Error).message]);
    }
  }
  for (const name of registeredBackends()) {
    if (name === WASM) continue;
    try {
      const be = await ak.setBackend(name);
      if (be instanceof NativeBackend) for (const isa of be.supportedIsas()) ok.push({ label: `${name}/${isa}`, backend: be, enter: () => be.setIsa(isa) });
      else ok.push({ label: name, backend: be, enter: () => {} });
    } catch (err) {
      unavailable.push([name, (err as Error).message]);
    }
  }
  return { ok, unavailable };
}

const oracle = await ak.setBackend('reference');
const { ok, unavailable } = await variants();

test('the case table covers every kernel of the contract', () => {
  const covered = new Set(cases.map((c) => c.kernel));
  assert.deepEqual([...PRIMITIVE_KERNELS, ...FUSED_KERNELS].filter((k) => !covered.has(k)), []);
});

for (const [name, reason] of unavailable) test(`backend ${name}`, { skip: `does not load: ${reason}` }, () => {});

for (const v of ok) {
  describe(`conformance: ${v.label}`, () => {
    const kernels = new Set(kernelsOf(v.backend.name));
    const oracleKernels = new Set(kernelsOf(oracle.name));
    for (const kernel of new Set(cases.map((c) => c.kernel))) {
      const skip = !kernels.has(kernel) ? `${v.backend.name} does not implement ${kernel}` : !oracleKernels.has(kernel) && !COMPOSED[kernel] ? `the reference has no ${kernel} to compare with` : false;
      if (skip) console.log(`conformance: skipping ${kernel} on ${v.label}: ${skip}`);
      test(kernel, { skip }, () => {
        v.enter();
        const failures = cases.flatMap((c, i) => {
          if (c.kernel !== kernel) return [];
          const f = check(c, v.backend, oracle, i);
          return f ? [`${c.label}: ${f}`] : [];
        });
        assert.deepEqual(failures, []);
      });
    }
  });
}
