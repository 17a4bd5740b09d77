/**
 * In-place optimizer updates with the semantics of PyTorch 1.13's single-tensor torch.optim
 * algorithms (SGD, Adam, AdamW, RMSprop without centering). Each element is computed in double
 * precision in the same operation order as PyTorch, so float64 results match it to rounding.
 */
import { fmtShape, registerKernel, type KernelFn, type TensorInfo } from '../../../core/index.js';

function sameSize(kernel: string, names: readonly string[], ts: readonly TensorInfo[]): void {
  const n = ts[0]!.data.length;
  ts.forEach((t, i) => {
    if (t.data.length !== n) throw new Error(`${kernel}: ${names[i]} ${fmtShape(t.shape)} does not match param ${fmtShape(ts[0]!.shape)}`);
  });
}

export const sgdUpdate: KernelFn<'SgdUpdate'> = ([p, g, buf], { lr, momentum, dampening, weightDecay, nesterov, first }) => {
  sameSize('SgdUpdate', ['param', 'grad', 'velocity'], momentum !== 0 ? [p, g, buf] : [p, g]);
  const [pd, gd, bd] = [p.data, g.data, buf.data];
  for (let i = 0; i < pd.length; i++) {
    let d = gd[i]!;
    if (weightDecay !== 0) d = d + weightDecay * pd[i]!;
    if (momentum !== 0) {
      bd[i] = first ? d : momentum * bd[i]! + (1 - dampening) * d;
      d = nesterov ? d + momentum * bd[i]! : bd[i]!;
    }
    pd[i] = pd[i]! + -lr * d;
  }
  return [];
};

export const adamUpdate: KernelFn<'AdamUpdate'> = ([p, g, m, v], { lr, beta1, beta2, eps, weightDecay, decoupled, step }) => {
  sameSize('AdamUpdate', ['param', 'grad', 'exp_avg', 'exp_avg_sq'], [p, g, m, v]);
  if (!(step >= 1)) throw new Error(`AdamUpdate: step counts from 1, got ${step}`);
  const [pd, gd, md, vd] = [p.data, g.data, m.data, v.data];
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const shrink = 1 - lr * weightDecay;
  for (let i = 0; i < pd.length; i++) {
    let gi = gd[i]!;
    let pi = pd[i]!;
    if (decoupled) pi = pi * shrink;
    else if (weightDecay !== 0) gi = gi + weightDecay * pi;
    const mi = md[i]! * beta1 + (1 - beta1) * gi;
    const vi = vd[i]! * beta2 + (1 - beta2) * gi * gi;
    md[i] = mi;
    vd[i] = vi;
    // PyTorch's addcdiv evaluates value·t1/t2 left to right.
    pd[i] = pi + (-stepSize * md[i]!) / (Math.sqrt(vd[i]!) / bc2Sqrt + eps);
  }
  return [];
};

export const rmspropUpdate: KernelFn<'RmspropUpdate'> = ([p, g, sq, buf], { lr, alpha, eps, weightDecay, momentum }) => {
  sameSize('RmspropUpdate', ['param', 'grad', 'square_avg', 'momentum_buffer'], momentum > 0 ? [p, g, sq, buf] : [p, g, sq]);
  const [pd, gd, sd, bd] = [p.data, g.data, sq.data, buf.data];
  for (let i = 0; i < pd.length; i++) {
    let gi = gd[i]!;
    if (weightDecay !== 0) gi = gi + weightDecay * pd[i]!;
    sd[i] = sd[i]! * alpha + (1 - alpha) * gi * gi;
    const avg = Math.sqrt(sd[i]!) + eps;
    if (momentum > 0) {
      bd[i] = bd[i]! * momentum + gi / avg;
      pd[i] = pd[i]! + -lr * bd[i]!;
    } else {
      pd[i] = pd[i]! + (-lr * gi) / avg;
    }
  }
  return [];
};

export function registerOptimizerKernels(backend: string): void {
  registerKernel(backend, 'SgdUpdate', sgdUpdate);
  registerKernel(backend, 'AdamUpdate', adamUpdate);
  registerKernel(backend, 'RmspropUpdate', rmspropUpdate);
}
