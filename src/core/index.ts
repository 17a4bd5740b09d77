/** aekit/core: tensors, ops, autograd, backends and the kernel contract. */
export * from './dtype.js';
export * from './shape.js';
export { Tensor, type GradNode } from './tensor.js';
export type { Backend } from './backend.js';
export * from './kernels.js';
export { registerKernel, hasKernel, getKernel, kernelsOf } from './registry.js';
export {
  registerBackend, registeredBackends, setBackend, getBackend, backendFallbackNotes,
  tidy, keep, noGrad, isGradEnabled, empty, wrap, runKernel, runKernelMulti, attachGrad, backendHas, numTensors,
} from './engine.js';
export * from './ops.js';
export * from './window.js';
export { backward } from './autograd.js';
export { Rng } from './rng.js';
export { biasAct, dense, denseGrad } from './fused.js';
export * from './conv.js';
export { firstDisagreement, gradCheck, type GradCheckOptions, type GradCheckResult } from './gradcheck.js';
