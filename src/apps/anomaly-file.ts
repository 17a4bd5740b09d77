/**
 * A fitted anomaly detector on disk: a model directory (config.json with the standardisation,
 * model.safetensors) for the first model, so every model command reads it, plus `members/N/` for
 * the other models of an ensemble and `anomaly.json`: how rows are scored, the threshold, the
 * rule that set it and the training scores' quantiles. The directory is built aside and renamed
 * into place, so it appears whole or not at all; `score`, `eval` and a server read the threshold
 * from it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelDir, readJsonObject, writeModelFiles } from '../io/model-dir.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { shown } from '../util/text.js';
import { createRunDir } from '../train/run-dir.js';
import { AnomalyDetector, type AnomalyScore, type MemberScale } from './anomaly.js';
import { checkThresholdRule, quantile, type ThresholdRule } from './threshold.js';

export const ANOMALY_FILE = 'anomaly.json';
export const ANOMALY_FORMAT = 'aekit-anomaly';
export const ANOMALY_FORMAT_VERSION = 1;

export interface AnomalyRecord {
  format: typeof ANOMALY_FORMAT;
  formatVersion: number;
  score: AnomalyScore;
  likelihoodSamples: number;
  /** Models in the ensemble: the directory itself, then members/1 … members/(n − 1). */
  members: number;
  /** Rows scoring above this are anomalies. */
  threshold: number;
  /** How the threshold was set. */
  rule: ThresholdRule;
  /** The header's feature names of the training data, or null. */
  featureNames: string[] | null;
  /** Per feature, the weight of its squared error in the score, or null (uniform). */
  featureWeights: number[] | null;
  /**
   * For an ensemble combined by standardised scores (absent or null otherwise): per member, its
   * feature weights (null: uniform) and its training scores' robust center and scale.
   */
  memberWeights?: (number[] | null)[] | null;
  memberScales?: MemberScale[] | null;
  training: { rows: number; quantiles: Record<string, number> };
}

/** What `saveDetector` records besides the detector. */
export interface SaveDetectorOptions {
  rule: ThresholdRule;
  featureNames?: string[] | null;
  sampleShape: readonly number[];
  /** The settings it was fitted with, saved in each config.json as `run`. */
  run?: unknown;
}

/** Write a fitted detector to `dir`, which must be missing or an empty directory. */
export function saveDetector(dir: string, det: AnomalyDetector, o: SaveDetectorOptions): void {
  createRunDir(dir, (tmp) => {
    det.members.forEach((model, m) => {
      const where = m === 0 ? tmp : join(tmp, 'members', String(m));
      writeModelFiles(where, { model, sampleShape: o.sampleShape, normalizer: det.normalizer, ...(o.run !== undefined ? { run: o.run } : {}) });
    });
    writeJsonAtomic(join(tmp, ANOMALY_FILE), anomalyRecord(det, o));
  });
}

export function anomalyRecord(det: AnomalyDetector, o: Pick<SaveDetectorOptions, 'rule' | 'featureNames'>): AnomalyRecord {
  const s = det.trainingScores;
  const quantiles = s.length === 0 ? {} : Object.fromEntries([0, 0.5, 0.9, 0.95, 0.99, 1].map((q) => [String(q), quantile(s, q)]));
  return {
    format: ANOMALY_FORMAT, formatVersion: ANOMALY_FORMAT_VERSION, score: det.scoring, likelihoodSamples: det.likelihoodSamples,
    members: det.members.length, threshold: det.threshold, rule: o.rule, featureNames: o.featureNames ?? null,
    featureWeights: det.featureWeights ? [...det.featureWeights] : null,
    memberWeights: det.memberWeights ? det.memberWeights.map((w) => (w ? [...w] : null)) : null,
    memberScales: det.memberScales ? det.memberScales.map((c) => ({ ...c })) : null,
    training: { rows: s.length, quantiles },
  };
}

/** Replace the threshold recorded in `dir` (atomically), keeping everything else. */
export function saveThreshold(dir: string, threshold: number, rule: ThresholdRule): void {
  const rec = readAnomalyRecord(dir);
  writeJsonAtomic(join(dir, ANOMALY_FILE), { ...rec, threshold, rule: checkThresholdRule(rule) });
}

/** A detector saved by `saveDetector`, with its record; errors name the file and the field. */
export function loadDetector(dir: string): { detector: AnomalyDetector; record: AnomalyRecord } {
  const record = readAnomalyRecord(dir);
  const first = loadModelDir(dir);
  const members = [first.model];
  for (let m = 1; m < record.members; m++) {
    const loaded = loadModelDir(join(dir, 'members', String(m)));
    if (loaded.model.config.inputDim !== first.model.config.inputDim) throw new Error(`${join(dir, 'members', String(m))}: takes ${loaded.model.config.inputDim} features but ${dir} takes ${first.model.config.inputDim}`);
    members.push(loaded.model);
  }
  if (record.score === 'likelihood' && !first.model.logLikelihood) throw new Error(`${join(dir, ANOMALY_FILE)}: score 'likelihood' needs a model with a density, but ${dir} holds a ${first.model.kind} model`);
  const width = first.model.config.inputDim;
  const weights = record.featureWeights;
  if (weights !== null && weights.length !== width) throw new Error(`${join(dir, ANOMALY_FILE)}: featureWeights has ${weights.length} values but the model takes ${width} features`);
  const where = join(dir, ANOMALY_FILE);
  const perMember: [string, unknown[] | null][] = [['memberWeights', record.memberWeights ?? null], ['memberScales', record.memberScales ?? null]];
  if ((perMember[0]![1] === null) !== (perMember[1]![1] === null)) throw new Error(`${where}: memberWeights and memberScales must both be given or both be null`);
  for (const [field, list] of perMember) {
    if (list !== null && list.length !== members.length) throw new Error(`${where}: ${field} has ${list.length} entries but the detector has ${members.length} members`);
  }
  record.memberWeights?.forEach((w, m) => {
    if (w !== null && w.length !== width) throw new Error(`${where}: memberWeights[${m}] has ${w.length} values but the model takes ${width} features`);
  });
  const detector = AnomalyDetector.fromParts({
    members, normalizer: first.normalizer, threshold: record.threshold, scoring: record.score, likelihoodSamples: record.likelihoodSamples,
    featureWeights: weights === null ? null : Float32Array.from(weights),
    memberWeights: record.memberWeights ? record.memberWeights.map((w) => (w === null ? null : Float32Array.from(w))) : null,
    memberScales: record.memberScales ?? null,
  });
  return { detector, record };
}

/** Read and validate `dir/anomaly.json`. */
export function readAnomalyRecord(dir: string): AnomalyRecord {
  const path = join(dir, ANOMALY_FILE);
  if (!existsSync(path)) throw new Error(`${dir} is not an anomaly detector: no ${ANOMALY_FILE} (fit one with aekit anomaly fit)`);
  const r = readJsonObject(path, 'anomaly detector record');
  const bad = (field: string, want: string) => new Error(`${path}: ${field} must be ${want}, got ${shown(r[field])}`);
  if (r.format !== ANOMALY_FORMAT) throw bad('format', `'${ANOMALY_FORMAT}'`);
  if (r.formatVersion !== ANOMALY_FORMAT_VERSION) throw bad('formatVersion', String(ANOMALY_FORMAT_VERSION));
  if (r.score !== 'reconstruction' && r.score !== 'likelihood') throw bad('score', "'reconstruction' or 'likelihood'");
  if (!Number.isSafeInteger(r.likelihoodSamples) || (r.likelihoodSamples as number) < 1) throw bad('likelihoodSamples', 'a positive integer');
  if (!Number.isSafeInteger(r.members) || (r.members as number) < 1 || (r.members as number) > 1000) throw bad('members', 'an integer in [1, 1000]');
  if (typeof r.threshold !== 'number' || !Number.isFinite(r.threshold)) throw bad('threshold', 'a finite number');
  const rule = r.rule as ThresholdRule | undefined;
  if (typeof rule !== 'object' || rule === null || !['contamination', 'percentile', 'fixed'].includes(rule.kind) || typeof rule.value !== 'number') throw bad('rule', "{kind: 'contamination' | 'percentile' | 'fixed', value: number}");
  try {
    checkThresholdRule(rule);
  } catch (err) {
    throw new Error(`${path}: rule: ${(err as Error).message}`);
  }
  const names = r.featureNames;
  if (names !== null && (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))) throw bad('featureNames', 'null or a list of strings');
  const w = r.featureWeights ?? null;
  if (w !== null && (!Array.isArray(w) || !w.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0))) throw bad('featureWeights', 'null or a list of positive numbers');
  const mw = r.memberWeights ?? null;
  const positive = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  if (mw !== null && (!Array.isArray(mw) || !mw.every((l) => l === null || (Array.isArray(l) && l.every(positive))))) throw bad('memberWeights', 'null or a list (one per member) of null or lists of positive numbers');
  const ms = r.memberScales ?? null;
  if (ms !== null && (!Array.isArray(ms) || !ms.every((c) => typeof c === 'object' && c !== null && typeof c.center === 'number' && Number.isFinite(c.center) && positive(c.scale)))) throw bad('memberScales', 'null or a list (one per member) of {center: number, scale: positive number}');
  const training = (r.training ?? { rows: 0, quantiles: {} }) as AnomalyRecord['training'];
  return { ...(r as unknown as AnomalyRecord), featureWeights: w as number[] | null, memberWeights: mw as (number[] | null)[] | null, memberScales: ms as MemberScale[] | null, training };
}
