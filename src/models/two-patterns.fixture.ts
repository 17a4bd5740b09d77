/** Test data for the model tests: 16 samples in [0, 1] of 12 values, two patterns each (rank 2), so a small autoencoder can learn them. */
import { Rng, tensor, type Tensor } from '../core/index.js';

export function twoPatternBatch(): Tensor {
  const rng = new Rng(7);
  const v = new Float32Array(16 * 12);
  for (let i = 0; i < 16; i++) {
    const a = rng.uniform();
    const b = rng.uniform();
    for (let j = 0; j < 12; j++) v[i * 12 + j] = j < 6 ? a : b;
  }
  return tensor(v, [16, 12]);
}
