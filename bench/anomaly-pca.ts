/** The PCA baselines of the anomaly benchmarks: the squared residual of each row's projection on k components, per feature. */
import { matmul, sub, square, tensor, tidy } from '../src/core/index.js';
import type { Dataset } from '../src/data/index.js';
import type { Pca } from '../src/apps/pca.js';

/** Squared residuals (x̄ − x̄·Wᵀ·W)², (n, d). */
export function pcaResiduals(p: Pca, ds: Dataset, batch = 4096): Float32Array {
  const out = new Float32Array(ds.n * p.d);
  for (let start = 0; start < ds.n; start += batch) {
    const n = Math.min(batch, ds.n - start);
    tidy(() => {
      const x = sub(tensor(ds.x.subarray(start * p.d, (start + n) * p.d), [n, p.d]), tensor(p.mean, [p.d])); // (n, d)
      const w = tensor(p.components, [p.k, p.d]);
      out.set(square(sub(x, matmul(matmul(x, w, { transposeB: true }), w))).data, start * p.d);
    });
  }
  return out;
}

/**
 * Mean over features of the squared residuals; with `weightsFrom` (the training rows), each
 * feature's residual is divided by its mean there, as the autoencoder detector's default does.
 */
export function pcaScores(p: Pca, ds: Dataset, weightsFrom?: Dataset): Float64Array {
  const w = new Float64Array(p.d).fill(1);
  if (weightsFrom) {
    const r = pcaResiduals(p, weightsFrom);
    const mean = new Float64Array(p.d);
    for (let i = 0; i < r.length; i++) mean[i % p.d]! += r[i]! / weightsFrom.n;
    mean.forEach((m, j) => (w[j] = 1 / Math.max(m, 1e-6)));
  }
  const e = pcaResiduals(p, ds);
  const out = new Float64Array(ds.n);
  for (let i = 0; i < ds.n; i++) {
    let s = 0;
    for (let j = 0; j < p.d; j++) s += e[i * p.d + j]! * w[j]!;
    out[i] = s / p.d;
  }
  return out;
}
