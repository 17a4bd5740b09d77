/**
 * The kernel contract: the closed list of primitive kernels every backend implements, with the
 * number of inputs, outputs and typed attributes of each. Gradients live in core (gradients.ts)
 * and are written with ops, so a backend that passes forward conformance can train.
 * Fused kernels are optional: callers ask `hasKernel` and fall back to the decomposed path.
 */
import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';

/** What a kernel sees of a tensor: its shape, type and storage. Kernels never keep references. */
export interface TensorInfo {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly data: TypedArray;
}

type NoAttrs = Record<string, never>;

/**
 * A 2-D sliding window over NHWC images: kernel [kh, kw], stride [sh, sw], dilation [dh, dw] and
 * padding [top, bottom, left, right] (asymmetric, as TensorFlow's 'same' needs). Output size per
 * axis: ⌊(H + top + bottom − dh·(kh − 1) − 1) / sh⌋ + 1 (see core/window.ts).
 */
export interface Window2D {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly padding: readonly [number, number, number, number];
}
export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh';

export interface KernelDefs {
  // Binary elementwise with NumPy broadcasting.
  Add: { inputs: 2; outputs: 1; attrs: NoAttrs };
  Sub: { inputs: 2; outputs: 1; attrs: NoAttrs };
  Mul: { inputs: 2; outputs: 1; attrs: NoAttrs };
  Div: { inputs: 2; outputs: 1; attrs: NoAttrs };
  Pow: { inputs: 2; outputs: 1; attrs: NoAttrs };
  Maximum: { inputs: 2; outputs: 1; attrs: NoAttrs };
  Minimum: { inputs: 2; outputs: 1; attrs: NoAttrs };
  // Comparisons give 1 where true and 0 where false, in the inputs' dtype.
  Greater: { inputs: 2; outputs: 1; attrs: NoAttrs };
  GreaterEqual: { inputs: 2; outputs: 1; attrs: NoAttrs };
  Equal: { inputs: 2; outputs: 1; attrs: NoAttrs };
  /** where(cond != 0, a, b), broadcasting all three. */
  Where: { inputs: 3; outputs: 1; attrs: NoAttrs };
  // Unary elementwise.
  Neg: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Abs: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Sign: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Exp: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Log: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Log1p: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Sqrt: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Tanh: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Sigmoid: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Relu: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Erf: { inputs: 1; outputs: 1; attrs: NoAttrs };
  Cast: { inputs: 1; outputs: 1; attrs: { dtype: DType } };
  // Reductions over a sorted, de-duplicated list of axes.
  Sum: { inputs: 1; outputs: 1; attrs: { axes: readonly number[]; keepDims: boolean } };
  Max: { inputs: 1; outputs: 1; attrs: { axes: readonly number[]; keepDims: boolean } };
  // Layout.
  Transpose: { inputs: 1; outputs: 1; attrs: { perm: readonly number[] } };
  BroadcastTo: { inputs: 1; outputs: 1; attrs: { shape: Shape } };
  /** 2-D matrix product op(A)·op(B) where op transposes when its flag is set. */
  MatMul: { inputs: 2; outputs: 1; attrs: { transposeA: boolean; transposeB: boolean } };
  // Sliding windows (convolution and pooling are built on these two and MatMul/FusedDense).
  /**
   * x (B, H, W, C) → (B·Ho·Wo, kh·kw·C): one row per output position, columns ordered
   * (ky, kx, c); positions in the padding read `padValue` (0 for convolution, −∞ for max pooling).
   */
  Im2Col: { inputs: 1; outputs: 1; attrs: { window: Window2D; padValue: number } };
  /**
   * The adjoint of Im2Col: cols (B·Ho·Wo, kh·kw·C) → (B, H, W, C), every column entry added into
   * the input position it was read from (padding positions dropped). `size` is [H, W].
   */
  Col2Im: { inputs: 1; outputs: 1; attrs: { window: Window2D; size: readonly [number, number] } };
  // Optional fused kernels.
  /** act(x·Wᵀ + b) with x (B, in), W (out, in), b (out). */
  FusedDense: { inputs: 3; outputs: 1; attrs: { activation: Activation } };
  /** Backward of FusedDense given dy and its output y: returns dx, dW, db. */
  /**
   * Inputs dy, x, W, y = act(x·Wᵀ + b); outputs dx (B, in), dW (out, in), db (out) with
   * dz = dy ⊙ act'(y). With `inputGrad` false dx is not computed and comes back empty (0, in):
   * the first layer of a network never needs it, and it is a third of that layer's backward.
   */
  FusedDenseGrad: { inputs: 4; outputs: 3; attrs: { activation: Activation; inputGrad: boolean } };
  /** act(x + b) with b (C) added along the last axis of x (…, C): a convolution's bias and activation in one pass. */
  BiasAct: { inputs: 2; outputs: 1; attrs: { activation: Activation } };
  /** Inputs dy, y = act(x + b): [dx = dy ⊙ act'(y) (…, C), db = Σ of dx over all but the last axis (C)]. */
  BiasActGrad: { inputs: 2; outputs: 2; attrs: { activation: Activation } };
  // Optional fused convolutions: the same values as the Im2Col/GEMM/Col2Im composition, computed a
  // few images at a time so no column matrix is stored. Weights as core/conv.ts lays them out.
  /** act(conv(x, W) + b): x (B, H, W, Cin), W (Cout, kh, kw, Cin), b (Cout) → (B, Ho, Wo, Cout) for `window` over x. */
  Conv2D: { inputs: 3; outputs: 1; attrs: { window: Window2D; activation: Activation } };
  /**
   * Inputs dy, x, W, y = Conv2D(x, W, b): dx (B, H, W, Cin), dW (Cout, kh, kw, Cin), db (Cout) with
   * dz = dy ⊙ act'(y). With `inputGrad` false dx is not computed and comes back empty (0, H, W, Cin).
   */
  Conv2DGrad: { inputs: 4; outputs: 3; attrs: { window: Window2D; activation: Activation; inputGrad: boolean } };
  /**
   * act(convᵀ(x, W) + b): x (B, Hi, Wi, Cin), W (Cin, kh, kw, Cout), b (Cout) → (B, Ho, Wo, Cout),
   * Col2Im(x·W) onto `size` = [Ho, Wo], where `window` maps Ho×Wo to Hi×Wi.
   */
  ConvTranspose2D: { inputs: 3; outputs: 1; attrs: { window: Window2D; size: readonly [number, number]; activation: Activation } };
  /** Inputs dy, x, W, y = ConvTranspose2D(x, W, b): dx (B, Hi, Wi, Cin) (empty (0, Hi, Wi, Cin) without `inputGrad`), dW, db. */
  ConvTranspose2DGrad: { inputs: 4; outputs: 3; attrs: { window: Window2D; activation: Activation; inputGrad: boolean } };
  // Optional fused losses (mean over all elements) and their gradients; the target gets no gradient.
  /** mean(softplus(z) − t·z): binary cross-entropy of sigmoid(z) against t, from logits z. */
  BceWithLogitsLoss: { inputs: 2; outputs: 1; attrs: NoAttrs };
  /** Inputs dy (scalar), z, t: dz = dy·(sigmoid(z) − t)/N. */
  BceWithLogitsLossGrad: { inputs: 3; outputs: 1; attrs: NoAttrs };
  /** mean((p − t)²). */
  MseLoss: { inputs: 2; outputs: 1; attrs: NoAttrs };
  /** Inputs dy (scalar), p, t: dp = dy·2(p − t)/N. */
  MseLossGrad: { inputs: 3; outputs: 1; attrs: NoAttrs };
  /**
   * The loss and its gradient for dy = 1 in one pass over z and t: [mean loss (scalar), dz]. A
   * training step needs both; one pass saves re-reading the output and the target.
   */
  BceWithLogitsLossAndGrad: { inputs: 2; outputs: 2; attrs: NoAttrs };
  MseLossAndGrad: { inputs: 2; outputs: 2; attrs: NoAttrs };
  // Optional fused pooling.
  /**
   * Max over each window of x (B, H, W, C): [y (B, Ho, Wo, C), cell (B, Ho, Wo, C)] where cell is
   * the kernel cell ky·kw + kx of the first maximum (as PyTorch picks), padding never chosen.
   */
  MaxPool2D: { inputs: 1; outputs: 2; attrs: { window: Window2D } };
  /** Inputs dy, cell (from MaxPool2D): dx (B, H, W, C) with each dy added at its window's maximum; `size` is [H, W]. */
  MaxPool2DGrad: { inputs: 2; outputs: 1; attrs: { window: Window2D; size: readonly [number, number] } };
  // Optional in-place optimizer updates (PyTorch semantics); they write their inputs and return nothing.
  /** param, grad, velocity: SGD with L2 weight decay, momentum, dampening and Nesterov. `first` marks the step that initialises velocity. */
  SgdUpdate: { inputs: 3; outputs: 0; attrs: { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; first: boolean } };
  /** param, grad, m, v: Adam (L2 decay) or AdamW (decoupled decay); `step` counts from 1. */
  AdamUpdate: { inputs: 4; outputs: 0; attrs: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean; step: number } };
  /** param, grad, squareAvg, momentumBuf: RMSprop as in PyTorch (no centering). */
  RmspropUpdate: { inputs: 4; outputs: 0; attrs: { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number } };
}

export type KernelName = keyof KernelDefs;
type Tuple<T, N extends number> = N extends 0 ? [] : N extends 1 ? [T] : N extends 2 ? [T, T] : N extends 3 ? [T, T, T] : N extends 4 ? [T, T, T, T] : T[];
export type KernelInputs<K extends KernelName> = Tuple<TensorInfo, KernelDefs[K]['inputs']>;
export type KernelAttrs<K extends KernelName> = KernelDefs[K]['attrs'];
export type KernelOutputs<K extends KernelName> = KernelDefs[K]['outputs'] extends 1 ? TensorInfo : Tuple<TensorInfo, KernelDefs[K]['outputs']>;

/** What a backend offers its kernels: allocation from its pool. */
export interface KernelContext {
  alloc(dtype: DType, size: number): TypedArray;
}

export type KernelFn<K extends KernelName> = (inputs: KernelInputs<K>, attrs: KernelAttrs<K>, ctx: KernelContext) => KernelOutputs<K>;

/** Kernels every backend must implement; the rest are optional fused paths. */
export const PRIMITIVE_KERNELS: readonly KernelName[] = [
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Maximum', 'Minimum', 'Greater', 'GreaterEqual', 'Equal', 'Where',
  'Neg', 'Abs', 'Sign', 'Exp', 'Log', 'Log1p', 'Sqrt', 'Tanh', 'Sigmoid', 'Relu', 'Erf', 'Cast',
  'Sum', 'Max', 'Transpose', 'BroadcastTo', 'MatMul', 'Im2Col', 'Col2Im',
];
export const FUSED_KERNELS: readonly KernelName[] = ['FusedDense', 'FusedDenseGrad', 'BiasAct', 'BiasActGrad', 'Conv2D', 'Conv2DGrad', 'ConvTranspose2D', 'ConvTranspose2DGrad', 'MaxPool2D', 'MaxPool2DGrad', 'BceWithLogitsLoss', 'BceWithLogitsLossGrad', 'MseLoss', 'MseLossGrad', 'BceWithLogitsLossAndGrad', 'MseLossAndGrad', 'SgdUpdate', 'AdamUpdate', 'RmspropUpdate'];
