/**
 * The pictures a run leaves: test originals above their reconstructions, the loss curves, and what
 * the model can do besides: noisy / cleaned / clean rows for a denoiser; prior samples, an
 * interpolation strip and (2-D codes) the latent manifold for a generative model. A class-conditional
 * model draws its samples one row per class, interpolates within a class, and shows analogies
 * (test digits decoded with every class) instead of the manifold. Labels come from the data set.
 */
import { join } from 'node:path';
import { noGrad, Rng, tensor, tidy } from '../core/index.js';
import type { Dataset } from '../data/index.js';
import type { Autoencoder, Labels } from '../models/index.js';
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
  const head: Dataset = { ...ds, n, x: ds.x.subarray(0, n * ds.dim), labels: ds.labels?.subarray(0, n) ?? null };
  noGrad(() =>
    forEachBatch(head, n, (x, _start, labels) =>
      tidy(() => {
        const r = model.reconstruct(x, labels).toArray() as Float32Array;
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

export function writeRunPictures(dir: string, model: Autoencoder, data: PreparedData, history: readonly EpochRecord[]): string[] {
  const ds = data.test ?? data.val ?? data.train;
  const invert = data.normalizer ? (v: Float32Array) => data.normalizer!.invert(v) : undefined;
  const pictures: [string, Uint8Array | null][] = [
    ['reconstructions.png', reconstructionGrid(model, ds, 10, invert)],
    ['loss.png', history.length ? lossCurve(history) : null],
    ...modelPictures(model, ds, invert),
  ];
  const written: string[] = [];
  for (const [name, png] of pictures) {
    if (png === null) continue;
    writeFileAtomic(join(dir, name), png);
    written.push(name);
  }
  return written;
}

type Invert = ((v: Float32Array) => Float32Array) | undefined;

/** Pictures of what a model can do beyond reconstructing: denoise (a corruption), generate (a prior). */
function modelPictures(model: Autoencoder, ds: Dataset, invert: Invert): [string, Uint8Array | null][] {
  const hw = imageSize(ds.sampleShape);
  if (hw === null) return [];
  const out: [string, Uint8Array | null][] = [];
  if (model.corrupt) out.push(['denoising.png', denoisingGrid(model, ds, hw, invert)]);
  if (model.sample) {
    out.push(['samples.png', samplesGrid(model, hw, invert)], ['interpolation.png', interpolationStrip(model, ds, hw, invert)]);
    if (model.conditioning) out.push(['analogies.png', analogiesGrid(model, ds, hw, invert)]);
    else if (model.config.latentDim === 2) out.push(['manifold.png', manifoldGrid(model, hw, invert)]);
  }
  return out;
}

/** Rows of images from one (n, h·w) array. */
function images(values: Float32Array, n: number, invert: Invert): Float32Array[] {
  if (invert) invert(values);
  const d = values.length / n;
  return Array.from({ length: n }, (_, i) => values.subarray(i * d, (i + 1) * d));
}

function denoisingGrid(model: Autoencoder, ds: Dataset, [h, w]: [number, number], invert: Invert): Uint8Array {
  const n = Math.min(10, ds.n);
  const rows = noGrad(() => tidy(() => {
    const x = tensor(ds.x.subarray(0, n * ds.dim), [n, ...ds.sampleShape]);
    const noisy = model.corrupt!(x, new Rng(0x6e6f));
    return [noisy, model.reconstruct(noisy, ds.labels?.subarray(0, n)), x].map((t) => images(Float32Array.from(t.data), n, invert));
  }));
  return imageGrid(rows, w, h, { labels: ['noisy', 'cleaned', 'clean'], scale: 3 });
}

/** The most classes a picture shows, one row or column each. */
const MAX_CLASSES_SHOWN = 20;

/** 40 prior samples, 10 to a row; a conditional model's 10 per class, one row per class. */
function samplesGrid(model: Autoencoder, hw: [number, number], invert: Invert): Uint8Array {
  const classes = Math.min(model.conditioning?.numClasses ?? 0, MAX_CLASSES_SHOWN);
  const n = classes ? 10 * classes : 40;
  const labels = classes ? Int32Array.from({ length: n }, (_, i) => Math.floor(i / 10)) : null;
  const values = noGrad(() => tidy(() => Float32Array.from(model.sample!(n, new Rng(1), labels).data)));
  if (invert) invert(values);
  if (!classes) return imageRows(values, n, hw, 10, 'samples from the prior');
  return imageRows(values, n, hw, 10, 'samples from the prior, one row per class', Array.from({ length: classes }, (_, c) => `class ${c}`));
}

/** n images of h × w (one per row of `values`) laid out `perRow` to a row, as PNG bytes; `rowLabels` name the rows. */
export function imageRows(values: Float32Array, n: number, [h, w]: [number, number], perRow: number, title: string, rowLabels?: string[]): Uint8Array {
  const all = images(values, n, undefined);
  const rows = Array.from({ length: Math.ceil(n / perRow) }, (_, r) => all.slice(r * perRow, r * perRow + perRow));
  return imageGrid(rows, w, h, { title, scale: 2, ...(rowLabels ? { labels: rowLabels } : {}) });
}

/**
 * Decodes of z on the line from the code of test sample 0 to that of sample 1, 10 steps; for a
 * conditional model, to the next sample of sample 0's class, all decoded with that class.
 */
function interpolationStrip(model: Autoencoder, ds: Dataset, [h, w]: [number, number], invert: Invert): Uint8Array | null {
  const y = model.conditioning ? ds.labels?.[0] : undefined;
  const other = y === undefined ? 1 : ds.labels!.indexOf(y, 1);
  if (other < 1 || other >= ds.n) return null;
  const strip = noGrad(() => tidy(() => {
    const pair = new Float32Array(2 * ds.dim);
    pair.set(ds.x.subarray(0, ds.dim));
    pair.set(ds.x.subarray(other * ds.dim, (other + 1) * ds.dim), ds.dim);
    const labels = (n: number): Labels | null => (y === undefined ? null : new Int32Array(n).fill(y));
    const z = model.encode(tensor(pair, [2, ...ds.sampleShape]), labels(2)).data; // (2, k)
    const k = z.length / 2;
    const path = new Float32Array(10 * k);
    for (let s = 0; s < 10; s++) for (let j = 0; j < k; j++) path[s * k + j] = z[j]! + (s / 9) * (z[k + j]! - z[j]!);
    return Float32Array.from(model.decode(tensor(path, [10, k]), labels(10)).data);
  }));
  const title = y === undefined ? 'from one test digit to the next' : `from one test digit to another of class ${y}`;
  return imageGrid([images(strip, 10, invert)], w, h, { title, scale: 3 });
}

/**
 * Analogies (Kingma et al. 2014, fig. 1): each of the first 10 test samples (left), encoded with
 * its class, then decoded with every class; the code carries the style, the class the identity.
 */
function analogiesGrid(model: Autoencoder, ds: Dataset, [h, w]: [number, number], invert: Invert): Uint8Array | null {
  if (!ds.labels) return null;
  const n = Math.min(10, ds.n);
  const classes = Math.min(model.conditioning!.numClasses, MAX_CLASSES_SHOWN);
  const decoded = noGrad(() => tidy(() => {
    const z = model.encode(tensor(ds.x.subarray(0, n * ds.dim), [n, ...ds.sampleShape]), ds.labels!.subarray(0, n)).data; // (n, k)
    const k = z.length / n;
    const codes = new Float32Array(n * classes * k);
    for (let i = 0; i < n * classes; i++) codes.set(z.subarray(Math.floor(i / classes) * k, Math.floor(i / classes) * k + k), i * k);
    const labels = Int32Array.from({ length: n * classes }, (_, i) => i % classes);
    return images(Float32Array.from(model.decode(tensor(codes, [n * classes, k]), labels).data), n * classes, invert);
  }));
  const originals = images(Float32Array.from(ds.x.subarray(0, n * ds.dim)), n, invert);
  const rows = originals.map((o, i) => [o, ...decoded.slice(i * classes, (i + 1) * classes)]);
  return imageGrid(rows, w, h, { title: `test digits (left) decoded as classes 0 to ${classes - 1}`, scale: 2 });
}

/** A 2-D latent space decoded on a 15 × 15 grid over [-3, 3]² (Kingma & Welling 2014, fig. 4). */
function manifoldGrid(model: Autoencoder, [h, w]: [number, number], invert: Invert): Uint8Array {
  const g = 15;
  const z = new Float32Array(g * g * 2);
  for (let r = 0; r < g; r++) for (let c = 0; c < g; c++) z.set([-3 + (6 * c) / (g - 1), 3 - (6 * r) / (g - 1)], (r * g + c) * 2);
  const all = images(noGrad(() => tidy(() => Float32Array.from(model.decode(tensor(z, [g * g, 2])).data))), g * g, invert);
  return imageGrid(Array.from({ length: g }, (_, r) => all.slice(r * g, r * g + g)), w, h, { title: 'latent manifold, z in [-3, 3] x [-3, 3]', scale: 1 });
}
