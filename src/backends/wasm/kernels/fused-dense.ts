/** FusedDense (GEMM with bias and activation in its epilogue) and FusedDenseGrad (two GEMMs around act' and the bias sums). */
import { fmtShape, registerKernel, type Activation, type KernelFn, type TensorInfo } from '../../../core/index.js';
import { requireFloat32, wasmOf } from './util.js';

/** Activation codes of wasm/assembly/gemm.ts and dense.ts. */
const ACT: Record<Activation, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 };

/** (batch, in, out) from x (B, in), w (out, in) and b (out), or an error naming the mismatch. */
function denseDims(kernel: string, x: TensorInfo, w: TensorInfo, b?: TensorInfo): [number, number, number] {
  const ok = x.shape.length === 2 && w.shape.length === 2 && x.shape[1] === w.shape[1] && (!b || (b.shape.length === 1 && b.shape[0] === w.shape[0]));
  if (!ok) throw new Error(`${kernel}: expected x (B, in), w (out, in), b (out); got x ${fmtShape(x.shape)}, w ${fmtShape(w.shape)}${b ? `, b ${fmtShape(b.shape)}` : ''}`);
  return [x.shape[0]!, x.shape[1]!, w.shape[0]!];
}

const fusedDense: KernelFn<'FusedDense'> = ([x, w, b], { activation }, ctx) => {
  const be = wasmOf('FusedDense', ctx);
  requireFloat32('FusedDense', [x, w, b]);
  const [batch, inF, outF] = denseDims('FusedDense', x, w, b);
  const [xp, wp, bp] = [be.ptr('FusedDense', x), be.ptr('FusedDense', w), be.ptr('FusedDense', b)];
  const y = be.alloc('float32', batch * outF);
  // y = act(x·Wᵀ + b): the NT product with the bias and activation applied as each tile is stored.
  be.kernels.gemm(0, 1, batch, outF, inF, xp, wp, y.byteOffset, bp, ACT[activation]);
  return { shape: [batch, outF], dtype: 'float32', data: y };
};

const fusedDenseGrad: KernelFn<'FusedDenseGrad'> = ([dy, x, w, y], { activation, inputGrad }, ctx) => {
  const be = wasmOf('FusedDenseGrad', ctx);
  requireFloat32('FusedDenseGrad', [dy, x, w, y]);
  const [batch, inF, outF] = denseDims('FusedDenseGrad', x, w);
  if (dy.data.length !== batch * outF || y.data.length !== batch * outF) throw new Error(`FusedDenseGrad: dy ${fmtShape(dy.shape)} and y ${fmtShape(y.shape)} must be (${batch}, ${outF})`);
  const [dyp, xp, wp, yp] = [be.ptr('FusedDenseGrad', dy), be.ptr('FusedDenseGrad', x), be.ptr('FusedDenseGrad', w), be.ptr('FusedDenseGrad', y)];
  const dxRows = inputGrad ? batch : 0;
  // Addresses are taken as each block is made: a later allocation may grow plain memory and detach views.
  const dx = be.alloc('float32', dxRows * inF);
  const dxp = dx.byteOffset;
  const dw = be.alloc('float32', outF * inF);
  const dwp = dw.byteOffset;
  const db = be.alloc('float32', outF);
  const dbp = db.byteOffset;
  const k = be.kernels;
  // dz = dy ⊙ act'(y) in a scratch block (dy itself for a linear layer).
  const dzBytes = activation === 'linear' ? 0 : batch * outF * 4;
  const dz = dzBytes ? be.heap.alloc(dzBytes) : dyp;
  if (dzBytes) k.activationGrad(ACT[activation], dyp, yp, dz, batch * outF);
  k.columnSums(dz, batch, outF, dbp); // db = Σ_rows dz
  k.gemm(1, 0, outF, inF, batch, dz, xp, dwp, 0, 0); // dW = dzᵀ·x
  if (inputGrad) k.gemm(0, 0, batch, inF, outF, dz, wp, dxp, 0, 0); // dx = dz·W
  if (dzBytes) be.heap.release(dz, dzBytes);
  return [
    { shape: [dxRows, inF], dtype: 'float32', data: be.current(dx) },
    { shape: [outF, inF], dtype: 'float32', data: be.current(dw) },
    { shape: [outF], dtype: 'float32', data: be.current(db) },
  ];
};

export function registerFusedDense(backend: string): void {
  registerKernel(backend, 'FusedDense', fusedDense);
  registerKernel(backend, 'FusedDenseGrad', fusedDenseGrad);
}
