/**
 * Anomaly detection by reconstruction error, in the shape PyOD users know: `fit(X)` on (mostly
 * normal) rows, `score(X)` gives each row its reconstruction error (higher = more anomalous; each
 * feature's squared error weighted by 1 / its mean over the training rows, see `FeatureWeighting`),
 * `predict(X)` flags the rows above `threshold`. Any aekit model kind works; a VAE may score by
 * its importance-sampled −log p(x) instead. `explain(X, k)` names the k features that contribute
 * most to each row's error. Features are standardised on the training rows (the statistics are
 * kept with the detector), and an ensemble of models trained on random subsamples with their own
 * seeds averages their scores (Chen et al. 2017, "Outlier Detection with Autoencoder Ensembles").
 */
import { Rng, noGrad, reshape, sub, square, tidy } from '../core/index.js';
import { checkFinite, fitNormalizer, makeDataset, subset, type Dataset, type Normalizer, type NormalizerKind } from '../data/index.js';
import { createModel, fitModelToData, parseModelConfig, registerBuiltinModels, type Autoencoder, type ModelConfigBase } from '../models/index.js';
import { createOptimizer } from '../nn/optim/index.js';
import { optimizerSchema, trainSchema, type OptimizerSettings, type TrainConfig } from '../train/config.js';
import { parseConfig } from '../util/schema.js';
import type { EventSink } from '../train/events.js';
import { makeSchedule } from '../train/schedule.js';
import { forEachBatch, train } from '../train/trainer.js';
import { mapRows } from './model-rows.js';
import { thresholdFrom, type ThresholdRule } from './threshold.js';

export { thresholdFrom, type ThresholdRule } from './threshold.js';

/** How rows are scored: squared reconstruction error averaged over features, or a VAE's −log p(x) (importance-sampled; 1 sample is the negative ELBO). */
export type AnomalyScore = 'reconstruction' | 'likelihood';

/**
 * How features are weighed in the reconstruction score: 'training' divides each feature's squared
 * error by its mean over the training rows, so a feature the model never reconstructs well (noise)
 * does not drown the others and an error counts by how unusual it is for that feature (the
 * residual analogue of PCA's variance-weighted outlier score); 'uniform' is the plain mean.
 */
export type FeatureWeighting = 'training' | 'uniform';

/**
 * How an ensemble's members are combined. 'mean' averages their squared errors per feature and
 * weighs the average once. 'standardized' gives each member its own feature weights, turns each
 * member's row scores into robust z-scores against its own training scores ((s − median) / (IQR /
 * 1.349)) and averages those, so members of different kinds (an autoencoder and a VAE) or scales
 * count alike (the score standardisation of Aggarwal and Sathe's outlier ensembles and of PyOD's
 * combination functions).
 */
export type EnsembleCombine = 'mean' | 'standardized';

/** A member's robust score scale: its training scores' median and IQR / 1.349 (the standard deviation, for normal scores). */
export interface MemberScale {
  center: number;
  scale: number;
}

export interface AnomalyOptions {
  /**
   * The model (any kind; default: the ensemble of `defaultAnomalyOptions(width)`), given as a config without
   * `inputDim`; or a list of configs, which the ensemble's members take in turn (member m trains
   * `model[m % model.length]`).
   */
  model?: Record<string, unknown> | Record<string, unknown>[];
  optimizer?: Partial<OptimizerSettings>;
  train?: Partial<TrainConfig>;
  /** Per-feature normalisation fitted on the training rows (default 'standard'). */
  normalize?: NormalizerKind;
  score?: AnomalyScore;
  /** Default 'training'. */
  featureWeighting?: FeatureWeighting;
  /** Importance samples per row when scoring by likelihood. */
  likelihoodSamples?: number;
  /** Models in the ensemble, each on its own subsample with its own seed (default 1; 10 for the default ensemble). */
  members?: number;
  /** How the members' scores are combined (default 'mean'; 'standardized' for the default ensemble). */
  combine?: EnsembleCombine;
  /** Fraction of the training rows each member of an ensemble of two or more sees (default 0.8). */
  subsample?: number;
  threshold?: ThresholdRule;
  /** Training events (epochs, steps) of each member in turn. */
  onEvent?: EventSink;
}

/**
 * The default for tabular data of `width` standardised features: one hidden layer of
 * h = max(8, min(64, 2·width)) ReLU units around a linear code of max(2, min(⌈width/4⌉, h/4)), MSE,
 * trained for a fixed budget of about 1,500 steps (see `defaultEpochs`) with weight decay. The
 * narrow code keeps the model from learning the identity, and the short training with decay from
 * learning the rare rows of a training set that holds outliers too.
 */
export function defaultAnomalyModel(width: number): Record<string, unknown> {
  const hidden = Math.max(8, Math.min(64, 2 * width));
  return {
    kind: 'dense', hidden: [hidden], latentDim: Math.max(2, Math.min(Math.ceil(width / 4), hidden / 4)),
    activation: 'relu', latentActivation: 'linear', outputActivation: 'linear', loss: 'mse',
  };
}

/**
 * The VAE counterpart: the same widths, a Gaussian decoder, and tanh hidden units. Bounded hidden
 * units bound the log-variance head, so one extreme training row cannot make exp(log σ²) (and the
 * KL term) explode, which with ReLU units stopped training on thyroid as a runaway loss.
 */
export function defaultAnomalyVae(width: number): Record<string, unknown> {
  const ae = defaultAnomalyModel(width);
  return { kind: 'vae', hidden: ae.hidden, latentDim: ae.latentDim, likelihood: 'gaussian', activation: 'tanh' };
}

/**
 * The library's and CLI's default detector for tabular data of `width` features: an ensemble of
 * 10 models, the `defaultAnomalyModel` autoencoder and the `defaultAnomalyVae` VAE in turn (5 of
 * each), each on its own 80% subsample and seed, each feature weighted by 1 / its mean error per
 * member, and the members' scores combined as robust z-scores ('standardized'). It was chosen on
 * thyroid and breastw, the two ODDS sets outside PyOD's 17 (BENCHMARKS.md says how).
 */
export function defaultAnomalyOptions(width: number): Pick<AnomalyOptions, 'model' | 'members' | 'combine'> {
  return { model: [defaultAnomalyModel(width), defaultAnomalyVae(width)], members: 10, combine: 'standardized' };
}

/** Epochs giving about `steps` steps of `batchSize` rows over `rows` rows (at least 10, at most 300). */
export function defaultEpochs(rows: number, batchSize = 64, steps = 1500): number {
  const batches = Math.max(1, Math.ceil(rows / batchSize));
  return Math.min(300, Math.max(10, Math.round(steps / batches)));
}

export const DEFAULT_OPTIMIZER: Partial<OptimizerSettings> = { kind: 'adamw', lr: 1e-3, weightDecay: 0.01 };

export class AnomalyDetector {
  readonly members: Autoencoder[] = [];
  normalizer: Normalizer | null = null;
  /** Scores above this are anomalies (set by `fit` from the threshold rule, or by hand). */
  threshold = Infinity;
  /** The training rows' scores, sorted ascending (what percentile and contamination thresholds are taken from). */
  trainingScores: Float64Array = new Float64Array(0);
  readonly scoring: AnomalyScore;
  readonly likelihoodSamples: number;
  /** Per feature, the weight of its squared error in the score (1 / its mean over the training rows), or null for uniform weights. */
  featureWeights: Float32Array | null = null;
  /** With `combine: 'standardized'`: per member, its feature weights (null: uniform) and its score scale; else null. */
  memberWeights: (Float32Array | null)[] | null = null;
  memberScales: MemberScale[] | null = null;
  /** How the members' scores are combined (set by `fit`). */
  combine: EnsembleCombine = 'mean';

  constructor(readonly options: AnomalyOptions = {}) {
    this.scoring = options.score ?? 'reconstruction';
    this.likelihoodSamples = options.likelihoodSamples ?? 16;
  }

  /** Build a detector from saved parts (see anomaly-file.ts). */
  static fromParts(p: { members: Autoencoder[]; normalizer: Normalizer | null; threshold: number; scoring: AnomalyScore; likelihoodSamples: number; featureWeights: Float32Array | null; memberWeights?: (Float32Array | null)[] | null; memberScales?: MemberScale[] | null }): AnomalyDetector {
    const d = new AnomalyDetector({ score: p.scoring, likelihoodSamples: p.likelihoodSamples });
    d.members.push(...p.members);
    Object.assign(d, { combine: p.memberScales ? 'standardized' : 'mean', normalizer: p.normalizer, threshold: p.threshold, featureWeights: p.featureWeights, memberWeights: p.memberWeights ?? null, memberScales: p.memberScales ?? null });
    return d;
  }

  /** Train on `data` (rows of features; labels are ignored) and set the threshold from the training scores. */
  async fit(data: Dataset): Promise<this> {
    registerBuiltinModels();
    checkFinite(data);
    if (data.n < 2) throw new Error(`${data.source}: an anomaly detector needs at least 2 training rows`);
    const kind = this.options.normalize ?? 'standard';
    this.normalizer = kind === 'none' ? null : fitNormalizer(kind, data);
    const x = this.normalized(data);
    const width = x.dim;
    // No model given: the default ensemble, whose member count and combination apply unless given.
    const defaults: Partial<AnomalyOptions> = this.options.model === undefined ? defaultAnomalyOptions(width) : {};
    const given = defaults.model ?? this.options.model!;
    const list = Array.isArray(given) ? given : [given];
    if (list.length === 0) throw new Error('model: the list of model configs is empty');
    const configs = list.map((c) => fitModelToData(parseModelConfig(c), x.sampleShape));
    for (const c of configs) if (this.scoring === 'likelihood' && c.kind !== 'vae') throw new Error(`score 'likelihood' needs a model with a density (kind 'vae'), not '${c.kind}'`);
    const combine = (this.combine = this.options.combine ?? defaults.combine ?? 'mean');
    if (combine === 'standardized' && this.scoring !== 'reconstruction') throw new Error("combine 'standardized' works on reconstruction scores; score 'likelihood' averages the members' −log p(x)");
    const members = this.options.members ?? defaults.members ?? 1;
    const trainBase = parseConfig(trainSchema, { batchSize: 64, ...this.options.train }, 'train');
    for (let m = 0; m < members; m++) this.members.push(await this.trainMember(x, configs[m % configs.length]!, trainBase, m, members));
    this.calibrate(x);
    return this;
  }

  /**
   * A detector made of some of this one's trained members (by index), combined as `combine` says
   * and calibrated afresh on the training rows `data` (weights, scales, training scores,
   * threshold), with no training. The benchmark reads an ensemble of autoencoders and VAEs as its
   * autoencoder part and its VAE part this way.
   */
  subEnsemble(indices: readonly number[], data: Dataset, combine: EnsembleCombine): AnomalyDetector {
    this.checkFitted();
    if (indices.length === 0 || indices.some((i) => !Number.isInteger(i) || i < 0 || i >= this.members.length)) throw new Error(`subEnsemble: indices must be a non-empty list of members in [0, ${this.members.length})`);
    const d = new AnomalyDetector({ ...this.options, combine });
    d.combine = combine;
    d.members.push(...indices.map((i) => this.members[i]!));
    d.normalizer = this.normalizer;
    d.calibrate(d.normalized(data));
    return d;
  }

  /** Feature weights, member scales, training scores and threshold from the trained members on the normalised training rows `x`. */
  private calibrate(x: Dataset): void {
    const weighted = (this.options.featureWeighting ?? 'training') === 'training' && this.scoring === 'reconstruction';
    this.featureWeights = this.memberWeights = this.memberScales = null;
    if (this.combine === 'standardized') this.standardizeMembers(x, weighted);
    else if (weighted) this.featureWeights = inverseMeans(this.featureContributions(x), x.dim);
    this.trainingScores = this.scoreNormalized(x).sort();
    this.threshold = thresholdFrom(this.options.threshold ?? { kind: 'contamination', value: 0.1 }, this.trainingScores);
  }

  private async trainMember(x: Dataset, config: ModelConfigBase, base: TrainConfig, m: number, members: number): Promise<Autoencoder> {
    const seed = (base.seed + 1000 * m) >>> 0;
    const rows = members === 1 ? x : subset(x, sampleRows(x.n, this.options.subsample ?? 0.8, new Rng(seed)));
    const tc = { ...base, seed, epochs: this.options.train?.epochs ?? defaultEpochs(rows.n, base.batchSize) };
    const model = createModel(config, new Rng(seed));
    const { momentum, ...settings } = parseConfig(optimizerSchema, { ...DEFAULT_OPTIMIZER, ...this.options.optimizer }, 'optimizer');
    const optimizer = createOptimizer(momentum === null ? settings : { ...settings, momentum });
    try {
      await train({ model, optimizer, schedule: makeSchedule(tc, optimizer.lr), config: tc, train: rows, val: null, onEvent: this.options.onEvent ?? (() => {}) });
    } finally {
      optimizer.dispose();
    }
    return model;
  }

  /** Each member's feature weights (from its own errors on the training rows `x`) and the robust scale of its scores there. */
  private standardizeMembers(x: Dataset, weighted: boolean): void {
    this.memberWeights = [];
    this.memberScales = [];
    for (const model of this.members) {
      const e = squaredErrors(model, x);
      const w = weighted ? inverseMeans(e, x.dim) : null;
      const s = new Float64Array(x.n);
      for (let i = 0; i < x.n; i++) {
        let t = 0;
        for (let j = 0; j < x.dim; j++) t += e[i * x.dim + j]! * (w ? w[j]! : 1);
        s[i] = t / x.dim;
      }
      this.memberWeights.push(w);
      this.memberScales.push(robustScale(s));
    }
  }

  /** One score per row (higher = more anomalous). */
  score(data: Dataset): Float64Array {
    this.checkFitted();
    checkFinite(data);
    return this.scoreNormalized(this.normalized(data));
  }

  /** 1 for rows scoring above the threshold, else 0. */
  predict(data: Dataset): Uint8Array {
    return Uint8Array.from(this.score(data), (s) => (s > this.threshold ? 1 : 0));
  }

  /** Per row, the k features contributing most to its score (weighted squared reconstruction errors), largest first. */
  explain(data: Dataset, k: number): { features: Int32Array; errors: Float32Array } {
    this.checkFitted();
    checkFinite(data);
    const x = this.normalized(data);
    if (!Number.isInteger(k) || k < 1 || k > x.dim) throw new Error(`explain: k must be an integer in [1, ${x.dim}], got ${k}`);
    return topFeatures(this.featureContributions(x), x.n, x.dim, k);
  }

  /** Scores of rows already normalised as the detector's training rows were. */
  scoreNormalized(x: Dataset): Float64Array {
    if (this.scoring === 'likelihood') {
      const total = new Float64Array(x.n);
      for (const model of this.members) negativeLogLikelihood(model, x, this.likelihoodSamples).forEach((s, i) => (total[i]! += s / this.members.length));
      return total;
    }
    const e = this.featureContributions(x);
    // Standardised members: the mean of (s_m − center_m) / scale_m, whose per-feature part featureContributions gives.
    const offset = this.memberScales ? this.memberScales.reduce((t, c) => t + c.center / c.scale, 0) / this.memberScales.length : 0;
    const out = new Float64Array(x.n);
    for (let i = 0; i < x.n; i++) {
      let s = 0;
      for (let j = 0; j < x.dim; j++) s += e[i * x.dim + j]!;
      out[i] = s / x.dim - offset;
    }
    return out;
  }

  /**
   * Each feature's part of each row's score, (n, dim): its squared error averaged over the members
   * and weighted; for standardised members, each member's weighted error divided by its score
   * scale, averaged.
   */
  featureContributions(x: Dataset): Float32Array {
    const out = new Float32Array(x.n * x.dim);
    this.members.forEach((model, m) => {
      const e = squaredErrors(model, x);
      const w = this.memberWeights?.[m] ?? null;
      const k = 1 / (this.members.length * (this.memberScales?.[m]?.scale ?? 1));
      for (let i = 0; i < out.length; i++) out[i]! += e[i]! * k * (w ? w[i % x.dim]! : 1);
    });
    const w = this.featureWeights;
    if (w) for (let i = 0; i < out.length; i++) out[i]! *= w[i % x.dim]!;
    return out;
  }

  /** A normalised copy of the rows (the caller's data is left as it was). */
  normalized(data: Dataset): Dataset {
    const width = this.members[0]?.config.inputDim ?? data.dim;
    if (data.dim !== width) throw new Error(`${data.source} has ${data.dim} features per row but the detector was fitted on ${width}`);
    if (this.normalizer === null) return data;
    return this.normalizer.apply(makeDataset({ x: data.x.slice(0, data.n * data.dim), sampleShape: data.sampleShape, labels: data.labels, source: data.source }));
  }

  private checkFitted(): void {
    if (this.members.length === 0) throw new Error('the anomaly detector has not been fitted (call fit first)');
  }
}

/** k distinct rows of [0, n) at random, in increasing order: a subsample of ⌈fraction·n⌉ rows (at least 2). */
function sampleRows(n: number, fraction: number, rng: Rng): Int32Array {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`subsample must be in (0, 1], got ${fraction}`);
  const k = Math.min(n, Math.max(2, Math.ceil(fraction * n)));
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.uniform() * (n - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.subarray(0, k).sort();
}

/** Squared reconstruction error per row and feature, (n, dim) row-major. */
export function squaredErrors(model: Autoencoder, x: Dataset, batch = 1024): Float32Array {
  return mapRows(x, x.dim, (xb, labels) => {
    const b = xb.shape[0]!;
    return square(sub(reshape(model.reconstruct(xb, labels), [b, x.dim]), reshape(xb, [b, x.dim]))); // (B, …sampleShape) -> (B, dim)
  }, { batchSize: batch, stage: 'scoring' });
}

/** −log p(x) per row from k importance samples with a fixed seed, so a row's score repeats. */
export function negativeLogLikelihood(model: Autoencoder, x: Dataset, k: number, batch = 256): Float64Array {
  if (!model.logLikelihood) throw new Error(`a ${model.kind} model has no density to score by`);
  const out = new Float64Array(x.n);
  const rng = new Rng(0x616e6f6d);
  noGrad(() => forEachBatch(x, batch, (xb, start) => tidy(() => {
    model.logLikelihood!(xb, k, rng).forEach((v, i) => (out[start + i] = -v));
  })));
  return out;
}

/** Median and IQR / 1.349 of `s` (the scale at least 1e-12 of the median's size, so a member that scores every row alike cannot divide by zero). */
export function robustScale(s: Float64Array): MemberScale {
  const sorted = Float64Array.from(s).sort();
  const q = (p: number) => {
    const pos = p * (sorted.length - 1);
    const lo = Math.floor(pos);
    return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
  };
  const center = q(0.5);
  return { center, scale: Math.max((q(0.75) - q(0.25)) / 1.349, 1e-12 * Math.abs(center), 1e-30) };
}

/** 1 / the mean of each column of `e` (n, dim); a column that is (nearly) always reconstructed exactly gets weight 1 / 1e-6, not infinity. */
function inverseMeans(e: Float32Array, dim: number): Float32Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < e.length; i++) mean[i % dim]! += e[i]!;
  const n = e.length / dim;
  return Float32Array.from(mean, (m) => 1 / Math.max(m / n, 1e-6));
}

/** Per row, the k largest of `errors` (n, dim) with their feature indices, largest first. */
export function topFeatures(errors: Float32Array, n: number, dim: number, k: number): { features: Int32Array; errors: Float32Array } {
  const features = new Int32Array(n * k);
  const top = new Float32Array(n * k);
  const order = Int32Array.from({ length: dim }, (_, j) => j);
  for (let i = 0; i < n; i++) {
    const row = errors.subarray(i * dim, (i + 1) * dim);
    order.sort((a, b) => row[b]! - row[a]! || a - b);
    for (let r = 0; r < k; r++) {
      features[i * k + r] = order[r]!;
      top[i * k + r] = row[order[r]!]!;
    }
  }
  return { features, errors: top };
}
