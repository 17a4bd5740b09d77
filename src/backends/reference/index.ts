/** Registers the reference backend and its kernels. Call once; nothing happens on import. */
import { registerBackend } from '../../core/index.js';
import { ReferenceBackend } from './backend.js';
import { registerBinaryKernels } from './kernels/binary.js';
import { registerCast } from './kernels/cast.js';
import { registerBiasAct } from './kernels/bias-act.js';
import { registerFusedDense } from './kernels/fused-dense.js';
import { registerLayout } from './kernels/layout.js';
import { registerLossKernels } from './kernels/loss.js';
import { registerMatMul } from './kernels/matmul.js';
import { registerOptimizerKernels } from './kernels/optim.js';
import { registerReductions } from './kernels/reduce.js';
import { registerUnaryKernels } from './kernels/unary.js';
import { registerWhere } from './kernels/where.js';
import { registerWindow } from './kernels/window.js';

export const REFERENCE = 'reference';

export function registerReferenceKernels(backend: string = REFERENCE): void {
  registerBinaryKernels(backend);
  registerUnaryKernels(backend);
  registerWhere(backend);
  registerCast(backend);
  registerReductions(backend);
  registerLayout(backend);
  registerMatMul(backend);
  registerLossKernels(backend);
  registerOptimizerKernels(backend);
  registerFusedDense(backend);
  registerBiasAct(backend);
  registerWindow(backend);
}

export function registerReferenceBackend(): void {
  registerReferenceKernels();
  registerBackend(REFERENCE, () => new ReferenceBackend(), 0);
}

export { ReferenceBackend };
