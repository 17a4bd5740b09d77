/**
 * Dense layer op act(x·Wᵀ + b). Uses the backend's FusedDense/FusedDenseGrad kernels when it has
 * them and the activation is fusable; otherwise composes primitives. Both paths give the same
 * gradients (checked in tests), so layers call this and never look at the backend.
 */
import { attachGrad, backendHas, noGrad, runKernel, runKernelMulti } from './engine.js';
import type { Activation } from './kernels.js';
import { activate, add, greater, isFusable, matmul, mul, sub, sum, type ActivationName } from './ops.js';
import type { Tensor } from './tensor.js';

/** x (B, in), w (out, in), b (out) → (B, out). */
export function dense(x: Tensor, w: Tensor, b: Tensor, act: ActivationName): Tensor {
  if (!isFusable(act) || !backendHas('FusedDense')) return activate(add(matmul(x, w, { transposeB: true }), b), act);
  const y = noGrad(() => runKernel('FusedDense', [x, w, b], { activation: act }));
  attachGrad(y, 'FusedDense', [x, w, b], (dy) =>
    backendHas('FusedDenseGrad') ? fusedGrad(dy, x, w, y, act) : denseGrad(dy, x, w, y, act),
  );
  return y;
}

/**
 * act(x + b) with b (C) along the last axis of x (…, C): a convolution's bias and activation. Uses
 * the backend's BiasAct/BiasActGrad (one pass each way instead of Add, the activation and, going
 * back, the slope, its product and the bias's sum) when it has them; composes primitives otherwise.
 */
export function biasAct(x: Tensor, b: Tensor, act: ActivationName): Tensor {
  // Linear: Add alone is one pass, and its backward passes dy on (BiasActGrad would copy it).
  if (act === 'linear' || !isFusable(act) || !backendHas('BiasAct')) return activate(add(x, b), act);
  const y = noGrad(() => runKernel('BiasAct', [x, b], { activation: act }));
  attachGrad(y, 'BiasAct', [x, b], (dy) => {
    if (backendHas('BiasActGrad')) return runKernelMulti('BiasActGrad', [dy, y], { activation: act });
    const dz = mul(dy, activationSlope(y, act)); // (…, C)
    return [dz, sum(dz, [...dz.shape.keys()].slice(0, -1))];
  });
  return y;
}

/** The fused backward; dx is skipped when x needs no gradient (a network's input). */
function fusedGrad(dy: Tensor, x: Tensor, w: Tensor, y: Tensor, act: Activation): (Tensor | null)[] {
  const [dx, dw, db] = runKernelMulti('FusedDenseGrad', [dy, x, w, y], { activation: act, inputGrad: x.requiresGrad });
  if (x.requiresGrad) return [dx!, dw!, db!];
  dx!.dispose();
  return [null, dw!, db!];
}

/** Decomposed backward of dense, with act' computed from the output y; dx only when x needs it. */
export function denseGrad(dy: Tensor, x: Tensor, w: Tensor, y: Tensor, act: Activation): (Tensor | null)[] {
  const dz = mul(dy, activationSlope(y, act)); // (B, out)
  return [x.requiresGrad ? matmul(dz, w) : null, matmul(dz, x, { transposeA: true }), sum(dz, 0)];
}

function activationSlope(y: Tensor, act: Activation): Tensor | number {
  switch (act) {
    case 'linear': return 1;
    case 'relu': return greater(y, 0);
    case 'sigmoid': return mul(y, sub(1, y));
    case 'tanh': return sub(1, mul(y, y));
  }
}
