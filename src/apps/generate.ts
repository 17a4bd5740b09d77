/**
 * New data from a trained model: draws from a VAE's prior N(0, I) decoded (for a conditional VAE,
 * of a chosen class), and paths between the codes of two inputs, straight (linear) or along the
 * great circle (slerp; White 2016, "Sampling Generative Networks", which argues that in a
 * high-dimensional Gaussian prior the straight path passes through codes the prior almost never
 * draws). Results are in the data's units.
 */
import { noGrad, Rng, tensor, tidy } from '../core/index.js';
import type { Normalizer } from '../data/index.js';
import type { Autoencoder, Labels } from '../models/index.js';
import { imageRows, imageSize } from '../train/pictures.js';
import { imageGrid } from '../util/plot.js';

export type Interpolation = 'linear' | 'slerp';

/** Why `model` cannot draw from a prior (it has none), or null when it can. */
export function priorProblem(model: Autoencoder): string | null {
  return model.sample ? null : `a ${model.kind} model has no prior to sample from (train one with --model vae or cvae)`;
}

/** n samples (n, inputDim) from the prior, seeded; `labels` give a conditional model's class per sample. */
export function samplePrior(model: Autoencoder, n: number, seed: number, labels: Labels | null, normalizer: Normalizer | null): Float32Array {
  const problem = priorProblem(model);
  if (problem) throw new Error(problem);
  const x = noGrad(() => tidy(() => Float32Array.from(model.sample!(n, new Rng(seed), labels).data)));
  return normalizer ? normalizer.invert(x) : x;
}

/** Points t = 0, 1/(steps−1), …, 1 on the path from z0 to z1: (steps, k). */
export function latentPath(z0: Float32Array, z1: Float32Array, steps: number, method: Interpolation): Float32Array {
  if (z0.length !== z1.length) throw new Error(`latentPath: codes of ${z0.length} and ${z1.length} values`);
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`latentPath: steps must be an integer ≥ 2, got ${steps}`);
  const k = z0.length;
  const out = new Float32Array(steps * k);
  // slerp: z(t) = sin((1−t)Ω)/sin Ω · z0 + sin(tΩ)/sin Ω · z1, Ω the angle between z0 and z1.
  const omega = method === 'slerp' ? angle(z0, z1) : 0;
  const straight = Math.sin(omega) < 1e-6; // linear asked, or (anti)parallel codes where slerp is undefined
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    const [a, b] = straight ? [1 - t, t] : [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)];
    for (let j = 0; j < k; j++) out[s * k + j] = a * z0[j]! + b * z1[j]!;
  }
  return out;
}

function angle(a: Float32Array, b: Float32Array): number {
  let dot = 0, na = 0, nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    na += a[j]! ** 2;
    nb += b[j]! ** 2;
  }
  const denom = Math.sqrt(na * nb);
  return denom === 0 ? 0 : Math.acos(Math.min(1, Math.max(-1, dot / denom)));
}

export interface InterpolationResult {
  /** The codes along the path, (steps, latentDim). */
  codes: Float32Array;
  /** Their decodings, (steps, inputDim), in the data's units. */
  x: Float32Array;
}

/**
 * Encode two inputs (each (…sampleShape) values, in the model's space; a VAE gives its posterior
 * mean), walk `steps` points between their codes and decode them; a conditional model encodes
 * each end with its own class and decodes the path as `decodeClass`.
 */
export function interpolate(model: Autoencoder, ends: [Float32Array, Float32Array], sampleShape: readonly number[], o: {
  steps: number; method: Interpolation; endLabels: [number, number] | null; decodeClass: number | null; normalizer: Normalizer | null;
}): InterpolationResult {
  const labels = (n: number, y: number | null): Labels | null => (y === null ? null : new Int32Array(n).fill(y));
  return noGrad(() => tidy(() => {
    const z = ends.map((row, i) => Float32Array.from(model.encode(tensor(row, [1, ...sampleShape]), labels(1, o.endLabels?.[i] ?? null)).data));
    const codes = latentPath(z[0]!, z[1]!, o.steps, o.method);
    const x = Float32Array.from(model.decode(tensor(codes, [o.steps, model.config.latentDim]), labels(o.steps, o.decodeClass)).data);
    return { codes, x: o.normalizer ? o.normalizer.invert(x) : x };
  }));
}

/**
 * Prior samples as rows of 8 grey images; a conditional model's classes in turn, one per column
 * (at most 20); null for samples that are not grey images.
 */
export function sampleGrid(model: Autoencoder, sampleShape: readonly number[], x: Float32Array, n: number, klass: number | null): Uint8Array | null {
  const hw = imageSize(sampleShape);
  if (hw === null) return null;
  const c = model.conditioning;
  if (c === null) return imageRows(x, n, hw, 8, `${n} samples from the prior`);
  if (klass !== null) return imageRows(x, n, hw, 8, `${n} samples of class ${klass}`);
  return imageRows(x, n, hw, Math.min(c.numClasses, 20), `${n} samples, classes 0 to ${c.numClasses - 1} in turn`);
}

/** The two inputs at the ends and the decoded path between them, one strip of grey images; null for non-image samples. */
export function interpolationStrip(sampleShape: readonly number[], ends: [Float32Array, Float32Array], path: Float32Array, steps: number, title: string): Uint8Array | null {
  const hw = imageSize(sampleShape);
  if (hw === null) return null;
  const d = hw[0] * hw[1];
  const decoded = Array.from({ length: steps }, (_, s) => path.subarray(s * d, (s + 1) * d));
  return imageGrid([[ends[0], ...decoded, ends[1]]], hw[1], hw[0], { title, scale: 2, pad: 4 });
}
