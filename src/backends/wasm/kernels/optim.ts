/** In-place optimizer updates (PyTorch 1.13 semantics, see src/core/kernels.ts); they return nothing. */
import { fmtShape, registerKernel, type KernelFn, type TensorInfo } from '../../../core/index.js';
import { requireFloat32, wasmOf } from './util.js';

function sameSize(kernel: string, names: readonly string[], ts: readonly TensorInfo[]): void {
  requireFloat32(kernel, ts);
  const n = ts[0]!.data.length;
  ts.forEach((t, i) => {
    if (t.data.length !== n) throw new Error(`${kernel}: ${names[i]} ${fmtShape(t.shape)} does not match param ${fmtShape(ts[0]!.shape)}`);
  });
}

const sgd: KernelFn<'SgdUpdate'> = ([p, g, v], { lr, momentum, dampening, weightDecay, nesterov, first }, ctx) => {
  const be = wasmOf('SgdUpdate', ctx);
  sameSize('SgdUpdate', ['param', 'grad', 'velocity'], momentum !== 0 ? [p, g, v] : [p, g]);
  const vp = momentum !== 0 ? be.ptr('SgdUpdate', v) : 0;
  be.kernels.sgdUpdate(be.ptr('SgdUpdate', p), be.ptr('SgdUpdate', g), vp, p.data.length, lr, momentum, 1 - dampening, weightDecay, nesterov ? 1 : 0, first ? 1 : 0);
  return [];
};

const adam: KernelFn<'AdamUpdate'> = ([p, g, m, v], { lr, beta1, beta2, eps, weightDecay, decoupled, step }, ctx) => {
  const be = wasmOf('AdamUpdate', ctx);
  sameSize('AdamUpdate', ['param', 'grad', 'exp_avg', 'exp_avg_sq'], [p, g, m, v]);
  if (!(step >= 1)) throw new Error(`AdamUpdate: step counts from 1, got ${step}`);
  // The bias corrections and 1 − β are computed here in double, as PyTorch computes them on the host.
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const ptr = (t: TensorInfo): number => be.ptr('AdamUpdate', t);
  be.kernels.adamUpdate(ptr(p), ptr(g), ptr(m), ptr(v), p.data.length, beta1, 1 - beta1, beta2, 1 - beta2, eps, weightDecay, decoupled ? 1 : 0, 1 - lr * weightDecay, stepSize, bc2Sqrt);
  return [];
};

const rmsprop: KernelFn<'RmspropUpdate'> = ([p, g, sq, buf], { lr, alpha, eps, weightDecay, momentum }, ctx) => {
  const be = wasmOf('RmspropUpdate', ctx);
  sameSize('RmspropUpdate', ['param', 'grad', 'square_avg', 'momentum_buffer'], momentum > 0 ? [p, g, sq, buf] : [p, g, sq]);
  const bufp = momentum > 0 ? be.ptr('RmspropUpdate', buf) : 0;
  be.kernels.rmspropUpdate(be.ptr('RmspropUpdate', p), be.ptr('RmspropUpdate', g), be.ptr('RmspropUpdate', sq), bufp, p.data.length, lr, alpha, 1 - alpha, eps, weightDecay, momentum);
  return [];
};

export function registerOptimizers(backend: string): void {
  registerKernel(backend, 'SgdUpdate', sgd);
  registerKernel(backend, 'AdamUpdate', adam);
  registerKernel(backend, 'RmspropUpdate', rmsprop);
}
