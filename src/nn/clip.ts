/**
 * Gradient clipping as torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
 *
 * Both replace the entries of the map with new tensors instead of scaling in place, because
 * gradients from `backward` may share storage (one tensor can be the gradient of two leaves, and
 * reshape gradients are views). The replaced tensors are left to the enclosing `tidy`.
 */
import { clip, mul, noGrad, sum, tidy, type Tensor } from '../core/index.js';

/**
 * Scale all gradients by min(1, maxNorm / (‖g‖ + 1e-6)), where ‖g‖ is the L2 norm of every
 * gradient together. Returns ‖g‖ before clipping (NaN or Infinity pass through, as in PyTorch).
 */
export function clipGradNorm(grads: Map<Tensor, Tensor>, maxNorm: number): number {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) throw new Error(`clipGradNorm: maxNorm must be a positive finite number, got ${maxNorm}`);
  if (grads.size === 0) return 0;
  return noGrad(() => {
    let squares = 0;
    for (const g of grads.values()) squares += tidy(() => sum(mul(g, g)).item());
    const total = Math.sqrt(squares);
    const coef = maxNorm / (total + 1e-6);
    // PyTorch multiplies by the clamped coefficient always; by 1 the values are unchanged, so skip.
    if (coef < 1 || Number.isNaN(coef)) {
      for (const [p, g] of grads) grads.set(p, mul(g, coef));
    }
    return total;
  });
}

/** Clamp every gradient element to [−clipValue, clipValue]. */
export function clipGradValue(grads: Map<Tensor, Tensor>, clipValue: number): void {
  if (!(clipValue >= 0) || !Number.isFinite(clipValue)) throw new Error(`clipGradValue: clipValue must be a finite number ≥ 0, got ${clipValue}`);
  noGrad(() => {
    for (const [p, g] of grads) grads.set(p, clip(g, -clipValue, clipValue));
  });
}
