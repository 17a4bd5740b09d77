/**
 * Weight initialisers. fanIn/fanOut follow the (out, in) weight layout.
 * Glorot & Bengio 2010 (uniform limit √(6/(fanIn+fanOut))); He et al. 2015 (std √(2/fanIn)).
 */
import { full, randomNormal, randomUniform, type Rng, type Tensor } from '../core/index.js';

export type InitName = 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'zeros';
export const INITS: readonly InitName[] = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'zeros'];

export function initWeight(kind: InitName, shape: readonly [number, number], rng: Rng): Tensor {
  const [fanOut, fanIn] = shape;
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
    case 'zeros':
      return full(shape, 0);
  }
}

/** He for the ReLU family, Glorot otherwise. */
export function defaultInitFor(activation: string): InitName {
  return activation === 'relu' || activation === 'leakyRelu' || activation === 'elu' || activation === 'gelu' ? 'heUniform' : 'glorotUniform';
}
