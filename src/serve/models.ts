/**
 * The models a server holds: each loaded once from its directory (a finished run, or an unfinished
 * one through its last checkpoint), with the operations it can do on rows of data in their original
 * units: encode, decode, reconstruct, score (per-row reconstruction error against the threshold in
 * the directory's anomaly.json, when there is one) and sample (generative models).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { noGrad, reshape, Rng, square, sub, tensor, tidy, type Tensor } from '../core/index.js';
import type { Normalizer } from '../data/normalize.js';
import { loadModelDir, type LoadedModel } from '../io/model-dir.js';
import { registerBuiltinModels, type Autoencoder, type Labels } from '../models/index.js';
import { chooseWeights } from '../train/run-dir.js';
import type { AnomalyDetector } from '../apps/anomaly.js';
import { loadDetector } from '../apps/anomaly-file.js';

export type Operation = 'encode' | 'decode' | 'reconstruct' | 'score' | 'sample';
export const OPERATIONS: readonly Operation[] = ['encode', 'decode', 'reconstruct', 'score', 'sample'];

/** What anomaly.json (written by `aekit anomaly fit`) says, as far as scoring by reconstruction needs. */
export interface ScoreSettings {
  threshold: number | null;
  /** Per feature, the weight of its squared error (1 / its mean over the training rows), or null. */
  featureWeights: Float32Array | null;
  source: string | null;
}

export class ServedModel {
  readonly model: Autoencoder;
  readonly normalizer: Normalizer | null;
  readonly sampleShape: readonly number[];
  readonly score: ScoreSettings;
  /** Why score is unavailable, or null. */
  readonly scoreProblem: string | null;
  readonly note: string | null;

  constructor(readonly name: string, readonly dir: string, loaded: LoadedModel & { note: string | null }) {
    this.model = loaded.model;
    this.normalizer = loaded.normalizer;
    this.sampleShape = loaded.config.data.sampleShape;
    this.note = loaded.note;
    const { settings, problem, detector } = readScoreSettings(dir, this.model.config.inputDim);
    this.score = settings;
    this.scoreProblem = problem;
    this.detector = detector;
  }

  /**
   * A detector whose score is more than one model's plain reconstruction error (an ensemble, scores
   * standardised per member, or likelihood): score runs it as `aekit anomaly score` does; else null.
   */
  readonly detector: AnomalyDetector | null;

  get inputDim(): number {
    return this.model.config.inputDim;
  }

  get latentDim(): number {
    return this.model.config.latentDim;
  }

  /** The operations this model has. */
  operations(): Operation[] {
    return OPERATIONS.filter((op) => (op === 'sample' ? this.model.sample !== undefined : op === 'score' ? this.scoreProblem === null : true));
  }

  /** Width of one input row of `op` (sample has none). */
  inputWidth(op: Operation): number {
    return op === 'decode' ? this.latentDim : this.inputDim;
  }

  /** Width of one output row of `op` (score gives one number per row). */
  outputWidth(op: Operation): number {
    return op === 'encode' ? this.latentDim : op === 'score' ? 1 : this.inputDim;
  }

  describe(): Record<string, unknown> {
    const c = this.model.conditioning;
    return {
      name: this.name,
      kind: this.model.kind,
      latentKind: this.model.latentKind,
      inputShape: [...this.sampleShape],
      inputDim: this.inputDim,
      latentDim: this.latentDim,
      conditioning: c,
      operations: this.operations(),
      threshold: this.score.threshold,
      ...(this.note ? { note: this.note } : {}),
    };
  }

  /**
   * Run `op` on n rows (row-major, data units) → n output rows. Rows must already be checked
   * (width, finite values); labels for a conditional model. Runs in evaluation mode without a tape.
   */
  run(op: Exclude<Operation, 'sample'>, rows: Float32Array, n: number, labels: Labels | null): Float32Array {
    // Batches are padded to a power of two rows: the native backend's buffer pool keeps one set of
    // buffers per size, and every batch size from 1 to 512 would otherwise get its own (RSS under
    // load doubled in 60 s before this). Rows are independent in evaluation mode.
    const b = 2 ** Math.ceil(Math.log2(n));
    if (b === n) return this.runRows(op, rows, n, labels);
    const padded = new Float32Array(b * this.inputWidth(op));
    padded.set(rows);
    const padLabels = labels ? Int32Array.from({ length: b }, (_, i) => labels[i] ?? 0) : null;
    return this.runRows(op, padded, b, padLabels).subarray(0, n * this.outputWidth(op));
  }

  private runRows(op: Exclude<Operation, 'sample'>, rows: Float32Array, n: number, labels: Labels | null): Float32Array {
    return noGrad(() => tidy(() => {
      if (op === 'decode') return this.toData(this.model.decode(tensor(rows, [n, this.latentDim]), labels));
      if (op === 'score' && this.detector) {
        const ds = { x: rows, n, dim: this.inputDim, sampleShape: [...this.sampleShape], labels: null, source: `${this.name} request` };
        return Float32Array.from(this.detector.score(ds));
      }
      const x = tensor(this.toModel(rows), [n, ...this.sampleShape]);
      if (op === 'encode') return Float32Array.from(this.model.encode(x, labels).data);
      const recon = this.model.reconstruct(x, labels);
      if (op === 'reconstruct') return this.toData(recon);
      return this.rowScores(x, recon, n);
    }));
  }

  /** n samples from the prior (data units); `labels` for a conditional model. */
  sample(n: number, seed: number, labels: Labels | null): Float32Array {
    if (!this.model.sample) throw new Error(`a ${this.model.kind} model has no prior to sample from`);
    return noGrad(() => tidy(() => this.toData(this.model.sample!(n, new Rng(seed), labels))));
  }

  /** Mean over features of the (weighted) squared reconstruction error, in the model's normalised units, per row. */
  private rowScores(x: Tensor, recon: Tensor, n: number): Float32Array {
    const d = this.inputDim;
    const e = square(sub(reshape(recon, [n, d]), reshape(x, [n, d]))).data; // (n, d)
    const w = this.score.featureWeights;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += e[i * d + j]! * (w ? w[j]! : 1);
      out[i] = s / d;
    }
    return out;
  }

  private toModel(rows: Float32Array): Float32Array {
    const n = this.normalizer;
    if (!n || n.kind === 'none') return rows;
    const d = this.inputDim;
    const out = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = (rows[i]! - n.offset[i % d]!) * n.scale[i % d]!;
    return out;
  }

  private toData(t: Tensor): Float32Array {
    const out = Float32Array.from(t.data);
    return this.normalizer ? this.normalizer.invert(out) : out;
  }
}

/**
 * Read anomaly.json beside the model, when there is one: the threshold and feature weights of
 * scoring by one model's reconstruction error, or the whole detector (loaded as `aekit anomaly
 * score` loads it) when its score is more than that.
 */
function readScoreSettings(dir: string, width: number): { settings: ScoreSettings; problem: string | null; detector: AnomalyDetector | null } {
  const path = join(dir, 'anomaly.json');
  const none: ScoreSettings = { threshold: null, featureWeights: null, source: null };
  if (!existsSync(path)) return { settings: none, problem: null, detector: null };
  let rec: { threshold?: unknown; featureWeights?: unknown; score?: unknown; members?: unknown; memberScales?: unknown };
  try {
    rec = JSON.parse(readFileSync(path, 'utf8')) as typeof rec;
  } catch (err) {
    return { settings: none, problem: `${path}: ${(err as Error).message}`, detector: null };
  }
  const threshold = typeof rec.threshold === 'number' && Number.isFinite(rec.threshold) ? rec.threshold : null;
  const whole = (rec.score !== undefined && rec.score !== 'reconstruction') || (typeof rec.members === 'number' && rec.members > 1) || (rec.memberScales !== undefined && rec.memberScales !== null);
  if (whole) {
    try {
      const { detector } = loadDetector(dir);
      return { settings: { threshold: Number.isFinite(detector.threshold) ? detector.threshold : threshold, featureWeights: null, source: path }, problem: null, detector };
    } catch (err) {
      return { settings: none, problem: (err as Error).message, detector: null };
    }
  }
  const w = rec.featureWeights;
  const weights = Array.isArray(w) && w.length === width && w.every((v) => typeof v === 'number' && Number.isFinite(v)) ? Float32Array.from(w as number[]) : null;
  return { settings: { threshold, featureWeights: weights, source: path }, problem: null, detector: null };
}

/** `NAME=DIR` or `DIR` (named by its base name). */
export function parseModelArg(arg: string): { name: string; dir: string } {
  const eq = arg.indexOf('=');
  const [name, dir] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [basename(resolve(arg)), arg];
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new Error(`model name '${name.slice(0, 64)}' must be 1 to 64 letters, digits, '.', '_' or '-' (give NAME=DIR)`);
  return { name, dir };
}

/** Load the model in `dir` as `name`. */
export function loadServedModel(name: string, dir: string): ServedModel {
  registerBuiltinModels();
  const { dir: weights, note } = chooseWeights(dir);
  return new ServedModel(name, dir, { ...loadModelDir(weights), note });
}
