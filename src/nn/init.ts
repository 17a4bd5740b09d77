/**
 * Weight initialisers. fanIn/fanOut follow the (out, in) weight layout.
 * Glorot & Bengio 2010 (uniform limit √(6/(fanIn+fanOut))); He et al. 2015 (std √(2/fanIn)).
 */
import { full, randomNormal, randomUniform, type Rng, type Tensor } from '../core/index.js';

/** `torch`: PyTorch's nn.Linear default, U(±1/√fanIn) for weights and biases (kaiming_uniform with a = √5). */
export type InitName = 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'torch' | 'zeros';
export const INITS: readonly InitName[] = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'torch', 'zeros'];

export function initWeight(kind: InitName, shape: readonly [number, number], rng: Rng): Tensor {
  return initTensor(kind, shape, shape[1], shape[0], rng);
}

/** A weight of any shape with explicit fans (a convolution's are the kernel area times its channels). */
export function initTensor(kind: InitName, shape: readonly number[], fanIn: number, fanOut: number, rng: Rng): Tensor {
  switch (kind) {
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return randomUniform(shape, rng, -limit, limit);
    }
    case 'glorotNormal':
      return randomNormal(shape, rng, 0, Math.sqrt(2 / (fanIn + fanOut)));
    case 'heUniform': {
      const limit = Math.sqrt(6 / fanIn);
      return randomUniform(shape, rng, -limit, limit);
    }
    case 'heNormal':
      return randomNormal(shape, rng, 0, Math.sqrt(2 / fanIn));
    case 'torch': {
      const limit = 1 / Math.sqrt(fanIn);
      return randomUniform(shape, rng, -limit, limit);
    }
    case 'zeros':
      return full(shape, 0);
  }
}

/** Bias of a layer with `fanIn` inputs: zeros, except PyTorch's U(±1/√fanIn) under the `torch` scheme. */
export function initBias(kind: InitName, outFeatures: number, fanIn: number, rng: Rng): Tensor {
  if (kind !== 'torch') return full([outFeatures], 0);
  const limit = 1 / Math.sqrt(fanIn);
  return randomUniform([outFeatures], rng, -limit, limit);
}

/** He for the ReLU family, Glorot otherwise. */
export function defaultInitFor(activation: string): InitName {
  return activation === 'relu' || activation === 'leakyRelu' || activation === 'elu' || activation === 'gelu' ? 'heUniform' : 'glorotUniform';
}
