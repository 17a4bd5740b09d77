/** Reconstruction metrics over a data set, computed in double precision from the model's outputs. */
import { noGrad, tidy } from '../core/index.js';
import type { Dataset } from '../data/index.js';
import type { Autoencoder } from '../models/index.js';
import { addTerms, forEachBatch, scaleTerms, type Terms } from './trainer.js';

export interface ReconMetrics {
  /** The model's own loss (mean over batches, weighted by size). */
  loss: number;
  /** Mean squared error per feature (pixel). */
  mse: number;
  /** Binary cross-entropy per feature, log clamped at −100 as PyTorch does; null if targets or reconstructions leave [0, 1]. */
  bce: number | null;
  /** Squared error summed over the features of a sample, averaged over samples. */
  sqErrPerImage: number;
  /** The model's loss terms (recon, kl, …), means over samples. */
  terms: Terms;
  n: number;
}

export function evaluateReconstruction(model: Autoencoder, ds: Dataset, batchSize: number): ReconMetrics {
  let loss = 0;
  let sq = 0;
  let bce = 0;
  let binary = true;
  const termSums: Terms = {};
  noGrad(() =>
    forEachBatch(ds, batchSize, (x, _start, labels) =>
      tidy(() => {
        const out = model.forward(x, { training: false, labels });
        loss += out.loss.item() * x.shape[0]!;
        addTerms(termSums, out.terms, x.shape[0]!);
        const r = out.recon.data;
        const t = x.data;
        for (let i = 0; i < t.length; i++) {
          const ti = t[i]!;
          const ri = r[i]!;
          sq += (ri - ti) * (ri - ti);
          if (ti < 0 || ti > 1 || !(ri >= 0 && ri <= 1)) binary = false;
          bce -= ti * Math.max(Math.log(ri), -100) + (1 - ti) * Math.max(Math.log(1 - ri), -100);
        }
      }),
    ),
  );
  const values = ds.n * ds.dim;
  return { loss: loss / ds.n, mse: sq / values, bce: binary ? bce / values : null, sqErrPerImage: sq / ds.n, terms: scaleTerms(termSums, 1 / ds.n), n: ds.n };
}
