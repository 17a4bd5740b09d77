/** The PCA reconstruction baseline of the anomaly benchmarks: squared error of each row's projection on the k components, averaged over features. */
import { matmul, sub, square, tensor, tidy } from '../src/core/index.js';
import type { Dataset } from '../src/data/index.js';
import type { Pca } from '../src/apps/pca.js';

export function pcaScores(p: Pca, ds: Dataset, batch = 4096): Float64Array {
  const out = new Float64Array(ds.n);
  for (let start = 0; start < ds.n; start += batch) {
    const n = Math.min(batch, ds.n - start);
    tidy(() => {
      const x = sub(tensor(ds.x.subarray(start * p.d, (start + n) * p.d), [n, p.d]), tensor(p.mean, [p.d])); // (n, d)
      const w = tensor(p.components, [p.k, p.d]);
      const err = square(sub(x, matmul(matmul(x, w, { transposeB: true }), w))).data; // (x̄ − x̄·Wᵀ·W)², (n, d)
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < p.d; j++) s += err[i * p.d + j]!;
        out[start + i] = s / p.d;
      }
    });
  }
  return out;
}
