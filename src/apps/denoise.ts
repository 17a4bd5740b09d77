/**
 * Cleaning noisy inputs with an autoencoder (a denoiser, Vincent et al. 2008, or any other as a
 * baseline): the reconstruction of each noisy row is its cleaned version. With clean references
 * it reports MSE and PSNR before (noisy against clean) and after (cleaned against clean).
 * `corruptRows` makes noisy data from clean data with the denoising model's own corruption code.
 */
import { noGrad, Rng, tensor, tidy } from '../core/index.js';
import type { Dataset, Normalizer } from '../data/index.js';
import { corruptInput, type Autoencoder, type Corruption } from '../models/index.js';
import { imageSize } from '../train/pictures.js';
import { imageGrid } from '../util/plot.js';
import { reconstructRows, type RowOptions } from './model-rows.js';

export interface Noise {
  kind: Corruption;
  /** gaussian: standard deviation; masking and salt-and-pepper: probability per value. */
  level: number;
}

const NOISE_NAMES: Record<string, Corruption> = {
  gaussian: 'gaussian', mask: 'masking', masking: 'masking', sp: 'salt-and-pepper', 'salt-and-pepper': 'salt-and-pepper',
};

/** 'gaussian:0.5', 'mask:0.3' (or masking), 'sp:0.1' (or salt-and-pepper). */
export function parseNoise(text: string): Noise {
  const m = /^([a-z-]+):(.+)$/.exec(text);
  const kind = m ? NOISE_NAMES[m[1]!] : undefined;
  const level = m ? Number(m[2]) : NaN;
  if (!m || !kind) throw new Error(`'${text}' is not a noise: use gaussian:STD, mask:P or sp:P (e.g. gaussian:0.5)`);
  if (!Number.isFinite(level) || level < 0) throw new Error(`the level of '${text}' must be a number ≥ 0`);
  if (kind !== 'gaussian' && level >= 1) throw new Error(`the level of '${text}' is a probability and must be < 1`);
  return { kind, level };
}

/** Noisy copies of rows (n, …shape): the denoising model's corruption, seeded, clipped to [0, 1] when asked. */
export function corruptRows(x: Float32Array, sampleShape: readonly number[], noise: Noise, clip: boolean, seed: number): Float32Array {
  const dim = sampleShape.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed);
  return noGrad(() => tidy(() => Float32Array.from(corruptInput({ noise: noise.kind, noiseLevel: noise.level, noiseClip: clip }, tensor(x, [x.length / dim, ...sampleShape]), rng).data)));
}

export interface Quality {
  /** Mean squared error per value. */
  mse: number;
  /** 10·log10(peak² / MSE), in dB; Infinity for a perfect match. */
  psnr: number;
}

export interface DenoiseResult {
  /** The reconstructions of the noisy rows, (n, dim), in the data's units. */
  cleaned: Float32Array;
  /** Against the clean references, when given: the noisy input and the cleaned output. */
  before: Quality | null;
  after: Quality | null;
  /** The peak value of PSNR: the range (max − min) of the clean references. */
  peak: number | null;
}

/**
 * Clean `noisy` (rows in the model's space, labels included for a conditional model); compare
 * with `clean` (the same rows in the data's units) when given. Metrics are in the data's units.
 */
export function denoise(model: Autoencoder, noisy: Dataset, o: { normalizer: Normalizer | null; clean: Float32Array | null; noisyData: Float32Array } & RowOptions): DenoiseResult {
  const cleaned = reconstructRows(model, noisy, { ...o, stage: 'denoising' });
  if (o.normalizer) o.normalizer.invert(cleaned);
  if (!o.clean) return { cleaned, before: null, after: null, peak: null };
  if (o.clean.length !== cleaned.length) throw new Error(`the clean references hold ${o.clean.length} values, the noisy rows ${cleaned.length}`);
  const peak = range(o.clean);
  return { cleaned, before: quality(o.noisyData, o.clean, peak), after: quality(cleaned, o.clean, peak), peak };
}

export function quality(x: Float32Array, clean: Float32Array, peak: number): Quality {
  let sq = 0;
  for (let i = 0; i < x.length; i++) sq += (x[i]! - clean[i]!) ** 2;
  const mse = sq / x.length;
  return { mse, psnr: 10 * Math.log10((peak * peak) / mse) };
}

function range(v: Float32Array): number {
  let lo = Infinity, hi = -Infinity;
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return hi - lo;
}

/** Noisy, cleaned and (when given) clean rows of the first `count` grey images; null for other samples. */
export function denoiseGrid(sampleShape: readonly number[], rows: { noisy: Float32Array; cleaned: Float32Array; clean: Float32Array | null }, count = 10): Uint8Array | null {
  const hw = imageSize(sampleShape);
  if (hw === null) return null;
  const d = hw[0] * hw[1];
  const n = Math.min(count, rows.noisy.length / d);
  const take = (v: Float32Array): Float32Array[] => Array.from({ length: n }, (_, i) => v.subarray(i * d, (i + 1) * d));
  const grid = [take(rows.noisy), take(rows.cleaned), ...(rows.clean ? [take(rows.clean)] : [])];
  return imageGrid(grid, hw[1], hw[0], { labels: ['noisy', 'cleaned', ...(rows.clean ? ['clean'] : [])], scale: 3 });
}
