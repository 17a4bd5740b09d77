/** The pictures a run leaves: test originals above their reconstructions, and the loss curves. */
import { join } from 'node:path';
import { noGrad, tidy } from '../core/index.js';
import type { Dataset } from '../data/index.js';
import type { Autoencoder } from '../models/index.js';
import { writeFileAtomic } from '../util/atomic.js';
import { imageGrid, lineChart } from '../util/plot.js';
import type { PreparedData } from './data-setup.js';
import type { EpochRecord } from './trainer.js';
import { forEachBatch } from './trainer.js';

/** Originals (row 0) and reconstructions (row 1) of the first `count` samples, as PNG bytes; null for non-image data. */
export function reconstructionGrid(model: Autoencoder, ds: Dataset, count = 10, normalizerInvert?: (v: Float32Array) => Float32Array): Uint8Array | null {
  const hw = imageSize(ds.sampleShape);
  if (hw === null) return null;
  const [h, w] = hw;
  const n = Math.min(count, ds.n);
  const originals: Float32Array[] = [];
  const recons: Float32Array[] = [];
  const head: Dataset = { ...ds, n, x: ds.x.subarray(0, n * ds.dim), labels: null };
  noGrad(() =>
    forEachBatch(head, n, (x) =>
      tidy(() => {
        const r = model.reconstruct(x).toArray() as Float32Array;
        const o = x.toArray() as Float32Array;
        if (normalizerInvert) {
          normalizerInvert(o);
          normalizerInvert(r);
        }
        for (let i = 0; i < n; i++) {
          originals.push(o.subarray(i * ds.dim, (i + 1) * ds.dim));
          recons.push(r.subarray(i * ds.dim, (i + 1) * ds.dim));
        }
      }),
    ),
  );
  return imageGrid([originals, recons], w, h, { labels: ['original', 'reconstruction'], scale: 3 });
}

/** Height and width of grey images: samples of shape (H, W) or (1, H, W); null for anything else. */
export function imageSize(shape: readonly number[]): [number, number] | null {
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  if (shape.length === 3 && shape[0] === 1) return [shape[1]!, shape[2]!];
  return null;
}

export function lossCurve(history: readonly EpochRecord[]): Uint8Array {
  const x = history.map((r) => r.epoch + 1);
  const series = [{ name: 'train', x, y: history.map((r) => r.trainLoss) }];
  if (history.some((r) => r.valLoss !== null)) series.push({ name: 'validation', x, y: history.map((r) => r.valLoss ?? NaN) });
  // A model with one term logs the loss itself; with more (recon + kl, …) each gets its own curve.
  const names = [...new Set(history.flatMap((r) => Object.keys(r.terms ?? {})))];
  if (names.length > 1) {
    for (const k of names) {
      series.push({ name: `train ${k}`, x, y: history.map((r) => r.terms?.[k] ?? NaN) });
      if (history.some((r) => r.valTerms?.[k] !== undefined)) series.push({ name: `validation ${k}`, x, y: history.map((r) => r.valTerms?.[k] ?? NaN) });
    }
  }
  return lineChart({ title: 'Loss per epoch', xLabel: 'epoch', yLabel: 'loss', series });
}

export function writeRunPictures(dir: string, model: Autoencoder, data: PreparedData, history: readonly EpochRecord[]): void {
  const ds = data.test ?? data.val ?? data.train;
  const invert = data.normalizer ? (v: Float32Array) => data.normalizer!.invert(v) : undefined;
  const grid = reconstructionGrid(model, ds, 10, invert);
  if (grid) writeFileAtomic(join(dir, 'reconstructions.png'), grid);
  if (history.length) writeFileAtomic(join(dir, 'loss.png'), lossCurve(history));
}
