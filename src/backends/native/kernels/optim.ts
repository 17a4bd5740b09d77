/** In-place optimizer updates (PyTorch 1.13 semantics, see src/core/kernels.ts); they return nothing. */
import { registerKernel, type KernelFn } from '../../../core/index.js';
import type { NativeAddon } from '../addon.js';
import { requireFloat32 } from './util.js';

function sgd(addon: NativeAddon): KernelFn<'SgdUpdate'> {
  return ([p, g, v], { lr, momentum, dampening, weightDecay, nesterov, first }) => {
    requireFloat32('SgdUpdate', [p, g, v]);
    addon.sgdUpdate(p.data, g.data, v.data, lr, momentum, dampening, weightDecay, nesterov ? 1 : 0, first ? 1 : 0);
    return [];
  };
}

function adam(addon: NativeAddon): KernelFn<'AdamUpdate'> {
  return ([p, g, m, v], { lr, beta1, beta2, eps, weightDecay, decoupled, step }) => {
    requireFloat32('AdamUpdate', [p, g, m, v]);
    addon.adamUpdate(p.data, g.data, m.data, v.data, lr, beta1, beta2, eps, weightDecay, decoupled ? 1 : 0, step);
    return [];
  };
}

function rmsprop(addon: NativeAddon): KernelFn<'RmspropUpdate'> {
  return ([p, g, sq, buf], { lr, alpha, eps, weightDecay, momentum }) => {
    requireFloat32('RmspropUpdate', [p, g, sq, buf]);
    addon.rmspropUpdate(p.data, g.data, sq.data, buf.data, lr, alpha, eps, weightDecay, momentum);
    return [];
  };
}

export function registerOptimizers(addon: NativeAddon, backend: string): void {
  registerKernel(backend, 'SgdUpdate', sgd(addon));
  registerKernel(backend, 'AdamUpdate', adam(addon));
  registerKernel(backend, 'RmspropUpdate', rmsprop(addon));
}
