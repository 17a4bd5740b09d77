/**
 * Reconstruction losses written with ops, matching torch.nn.functional. Every loss takes
 * `reduction`: 'mean' over all elements (PyTorch's default), 'sum', or 'perSample', which sums
 * over every axis but the first and returns one value per row (B), for anomaly scores and
 * per-image errors.
 */
import { attachGrad, backendHas, isGradEnabled, noGrad, runKernel, runKernelMulti, abs, fmtShape, greater, log, log1p, exp, max, maximum, mean, mul, neg, sub, sum, add, where, type Tensor } from '../core/index.js';

export type Reduction = 'mean' | 'sum' | 'perSample';

export interface LossOptions {
  reduction?: Reduction;
  /** Use the backend's fused loss kernel when it has one (default true; 'mean' reduction only). */
  fused?: boolean;
}

type FusedLoss = 'BceWithLogitsLoss' | 'MseLoss';

/**
 * A fused mean loss with its fused gradient, when the backend has both and the target needs no
 * gradient. When a gradient will be needed and the backend has the one-pass kernel, the gradient
 * for dy = 1 is computed with the loss and handed to backward as it is (backward seeds dy = 1).
 */
function tryFused(kernel: FusedLoss, x: Tensor, target: Tensor, opts: LossOptions): Tensor | null {
  const grad = kernel === 'BceWithLogitsLoss' ? 'BceWithLogitsLossGrad' : 'MseLossGrad';
  const both = kernel === 'BceWithLogitsLoss' ? 'BceWithLogitsLossAndGrad' : 'MseLossAndGrad';
  if ((opts.reduction ?? 'mean') !== 'mean' || opts.fused === false || target.requiresGrad || !backendHas(kernel) || !backendHas(grad)) return null;
  if (isGradEnabled() && x.requiresGrad && backendHas(both)) {
    const [y, dz] = runKernelMulti(both, [x, target], {});
    attachGrad(y!, both, [x, target], (dy) => [dy.size === 1 && dy.data[0] === 1 ? dz! : mul(dz!, dy), null]);
    return y!;
  }
  const y = noGrad(() => runKernel(kernel, [x, target], {}));
  attachGrad(y, kernel, [x, target], (dy) => [runKernel(grad, [dy, x, target], {}), null]);
  return y;
}

function checkPair(loss: string, a: Tensor, b: Tensor, names: [string, string]): void {
  const same = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
  if (!same) throw new Error(`${loss}: ${names[0]} ${fmtShape(a.shape)} and ${names[1]} ${fmtShape(b.shape)} must have the same shape`);
  if (a.dtype !== b.dtype) throw new Error(`${loss}: ${names[0]} is ${a.dtype} but ${names[1]} is ${b.dtype}`);
}

function reduce(loss: string, elementwise: Tensor, reduction: Reduction = 'mean'): Tensor {
  switch (reduction) {
    case 'mean':
      return mean(elementwise);
    case 'sum':
      return sum(elementwise);
    case 'perSample': {
      if (elementwise.rank < 1) throw new Error(`${loss}: reduction 'perSample' needs inputs with a batch axis, got a scalar`);
      const axes = Array.from({ length: elementwise.rank - 1 }, (_, i) => i + 1);
      return axes.length ? sum(elementwise, axes) : elementwise;
    }
    default:
      throw new Error(`${loss}: reduction must be 'mean', 'sum' or 'perSample', got ${JSON.stringify(reduction)}`);
  }
}

/** Mean squared error (pred − target)², as F.mse_loss. */
export function mse(pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('mse', pred, target, ['pred', 'target']);
  const fused = tryFused('MseLoss', pred, target, opts);
  if (fused) return fused;
  const d = sub(pred, target);
  return reduce('mse', mul(d, d), opts.reduction);
}

/** Mean absolute error |pred − target|, as F.l1_loss. */
export function l1(pred: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('l1', pred, target, ['pred', 'target']);
  return reduce('l1', abs(sub(pred, target)), opts.reduction);
}

/**
 * Binary cross-entropy on logits z, as F.binary_cross_entropy_with_logits, computed stably:
 * softplus(z) − t·z = max(z, 0) − z·t + log(1 + e^−|z|), finite for any z.
 */
export function bceWithLogits(logits: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('bceWithLogits', logits, target, ['logits', 'target']);
  const fused = tryFused('BceWithLogitsLoss', logits, target, opts);
  if (fused) return fused;
  // maximum (not relu) so that z = 0 gets d/dz = σ(0) − t exactly (the tie passes half).
  const softplus = add(maximum(logits, 0), log1p(exp(neg(abs(logits)))));
  return reduce('bceWithLogits', sub(softplus, mul(logits, target)), opts.reduction);
}

/** log(x) clamped below at −100 as PyTorch's BCE does; x = 0 gives −100 with gradient 0, never NaN. */
function clampedLog(x: Tensor): Tensor {
  const positive = greater(x, 0);
  const safe = log(where(positive, x, 1));
  return maximum(where(positive, safe, -100), -100);
}

/**
 * Binary cross-entropy on probabilities p ∈ [0, 1], as F.binary_cross_entropy:
 * −(t·log p + (1 − t)·log(1 − p)) with each log clamped at −100. Prefer bceWithLogits for training:
 * where p saturates (log p < −100) this loss is flat and its gradient 0, while PyTorch's backward
 * returns (p − t)/max(p(1 − p), 1e-12).
 */
export function bce(prob: Tensor, target: Tensor, opts: LossOptions = {}): Tensor {
  checkPair('bce', prob, target, ['prob', 'target']);
  const pos = mul(target, clampedLog(prob));
  const negPart = mul(sub(1, target), clampedLog(sub(1, prob)));
  return reduce('bce', neg(add(pos, negPart)), opts.reduction);
}

/** Σ over features of (pred − target)², one value per sample: shape (B). */
export function sqErrPerSample(pred: Tensor, target: Tensor): Tensor {
  return mse(pred, target, { reduction: 'perSample' });
}

/**
 * Softmax cross-entropy of logits (B, C) against one-hot or soft targets (B, C), as
 * F.cross_entropy with probabilities: logsumexp(z) − Σ t·z per row (for rows of t summing to 1).
 * The row maximum is subtracted first for stability, as a constant: softmax is shift-invariant,
 * so the gradient (softmax(z) − t) is unchanged.
 */
export function softmaxCrossEntropy(logits: Tensor, target: Tensor, opts: Omit<LossOptions, 'fused'> = {}): Tensor {
  checkPair('softmaxCrossEntropy', logits, target, ['logits', 'target']);
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be (batch, classes), got ${fmtShape(logits.shape)}`);
  const shift = noGrad(() => max(logits, 1, true)); // (B, 1)
  const lse = add(log(sum(exp(sub(logits, shift)), 1, true)), shift); // (B, 1)
  const perRow = sub(sum(mul(target, lse), 1), sum(mul(target, logits), 1)); // (B)
  return reduce('softmaxCrossEntropy', perRow, opts.reduction);
}
