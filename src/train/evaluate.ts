/** Reconstruction metrics over a data set, computed in double precision from the model's outputs. */
import { noGrad, Rng, tidy } from '../core/index.js';
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
  /** Denoisers only: the reconstruction of each input corrupted by the model's training noise (fixed seed) against the clean input. */
  denoised: { mse: number; bce: number | null } | null;
}

/** Seed of the corruption used to score denoisers, fixed so every evaluation sees the same noisy inputs. */
export const DENOISE_EVAL_SEED = 0x64656e6f;

/** Squared error and binary cross-entropy sums of reconstructions r against targets t (BCE null when either leaves [0, 1]). */
class ErrorSums {
  sq = 0;
  bce = 0;
  binary = true;
  add(r: ArrayLike<number>, t: ArrayLike<number>): void {
    for (let i = 0; i < t.length; i++) {
      const ti = t[i]!;
      const ri = r[i]!;
      this.sq += (ri - ti) * (ri - ti);
      if (ti < 0 || ti > 1 || !(ri >= 0 && ri <= 1)) this.binary = false;
      this.bce -= ti * Math.max(Math.log(ri), -100) + (1 - ti) * Math.max(Math.log(1 - ri), -100);
    }
  }
}

export function evaluateReconstruction(model: Autoencoder, ds: Dataset, batchSize: number): ReconMetrics {
  let loss = 0;
  const clean = new ErrorSums();
  const noisy = model.corrupt ? new ErrorSums() : null;
  const rng = new Rng(DENOISE_EVAL_SEED);
  const termSums: Terms = {};
  noGrad(() =>
    forEachBatch(ds, batchSize, (x, _start, labels) =>
      tidy(() => {
        const out = model.forward(x, { training: false, labels });
        loss += out.loss.item() * x.shape[0]!;
        addTerms(termSums, out.terms, x.shape[0]!);
        clean.add(out.recon.data, x.data);
        if (noisy) noisy.add(model.reconstruct(model.corrupt!(x, rng), labels).data, x.data);
      }),
    ),
  );
  const values = ds.n * ds.dim;
  return {
    loss: loss / ds.n, mse: clean.sq / values, bce: clean.binary ? clean.bce / values : null, sqErrPerImage: clean.sq / ds.n, terms: scaleTerms(termSums, 1 / ds.n), n: ds.n,
    denoised: noisy ? { mse: noisy.sq / values, bce: noisy.binary ? noisy.bce / values : null } : null,
  };
}
