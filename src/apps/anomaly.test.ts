import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ak from '../index.js';
import { registerBuiltinBackends } from '../backends/index.js';
import { makeDataset, type Dataset } from '../data/index.js';
import { AnomalyDetector, defaultAnomalyModel, defaultAnomalyOptions, defaultAnomalyVae, robustScale, squaredErrors, topFeatures } from './anomaly.js';
import { loadDetector, saveDetector, saveThreshold } from './anomaly-file.js';
import { rocAuc } from './binary-metrics.js';
import { quantile, thresholdFrom } from './threshold.js';

registerBuiltinBackends();
await ak.setBackend('reference');

/**
 * n rows of 6 features on a 2-d plane (x = a·u + b·v + small noise, scaled and shifted per feature);
 * every 10th row is an anomaly off the plane, labelled 1.
 */
function planeData(n: number, seed: number): Dataset {
  const rng = new ak.Rng(seed);
  const x = new Float32Array(n * 6);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b] = [rng.normal(), rng.normal()];
    const row = [a, b, a + b, a - b, 2 * a, b - 0.5 * a];
    if (i % 10 === 0) {
      labels[i] = 1;
      for (let j = 0; j < 6; j++) row[j] = 1.5 * rng.normal();
    }
    for (let j = 0; j < 6; j++) x[i * 6 + j] = 10 * j + (j + 1) * (row[j]! + 0.03 * rng.normal());
  }
  return makeDataset({ x, sampleShape: [6], labels, source: `plane(${seed})` });
}

const FAST = { members: 2, train: { seed: 3 } };

test('the detector ranks rows off the plane above rows on it, and flags about the contamination given', async () => {
  const det = await new AnomalyDetector({ ...FAST, threshold: { kind: 'contamination', value: 0.1 } }).fit(planeData(400, 1));
  const test_ = planeData(300, 2);
  const scores = det.score(test_);
  const auc = rocAuc(scores, test_.labels!);
  assert.ok(auc > 0.95, `ROC-AUC ${auc}`);
  const flagged = det.trainingScores.filter((s) => s > det.threshold).length;
  assert.ok(Math.abs(flagged - 40) <= 1, `${flagged} of 400 training rows above the 0.9 quantile`);
  const pred = det.predict(test_);
  assert.deepEqual([...pred], [...scores].map((s) => (s > det.threshold ? 1 : 0)));
  assert.equal(test_.x[7], planeData(300, 2).x[7], 'scoring leaves the caller\'s rows as they were');
});

test('explain names the feature that was pushed off the plane', async () => {
  const det = await new AnomalyDetector(FAST).fit(planeData(400, 1));
  const rows = planeData(20, 5);
  for (let i = 0; i < rows.n; i++) rows.x[i * 6 + 4] = rows.x[i * 6 + 4]! + 5 * 5; // feature 4 moved by 5 of its own units (scale 5)
  const { features, errors } = det.explain(rows, 2);
  const hits = [...features].filter((f, i) => i % 2 === 0 && f === 4).length;
  assert.ok(hits >= 18, `feature 4 came first in ${hits} of 20 rows`);
  for (let i = 0; i < rows.n; i++) assert.ok(errors[2 * i]! >= errors[2 * i + 1]!, 'largest first');
  assert.throws(() => det.explain(rows, 7), /k must be an integer in \[1, 6\], got 7/);
});

test('a VAE detector scores by reconstruction or by −log p(x); the likelihood needs a VAE', async () => {
  const train = planeData(300, 1);
  const vae = { kind: 'vae', hidden: [12], latentDim: 2, likelihood: 'gaussian', activation: 'tanh' };
  for (const score of ['reconstruction', 'likelihood'] as const) {
    const det = await new AnomalyDetector({ ...FAST, model: vae, score }).fit(train);
    const t = planeData(200, 2);
    const auc = rocAuc(det.score(t), t.labels!);
    assert.ok(auc > 0.85, `${score}: ROC-AUC ${auc}`);
  }
  await assert.rejects(new AnomalyDetector({ ...FAST, score: 'likelihood' }).fit(train), /score 'likelihood' needs a model with a density/);
});

test('bad input: a width the detector was not fitted on, NaN, too few rows, scoring before fitting', async () => {
  const det = new AnomalyDetector(FAST);
  assert.throws(() => det.score(planeData(5, 1)), /has not been fitted/);
  await assert.rejects(det.fit(makeDataset({ x: new Float32Array(6), sampleShape: [6], source: 'one' })), /at least 2 training rows/);
  await det.fit(planeData(200, 1));
  assert.throws(() => det.score(makeDataset({ x: new Float32Array(10), sampleShape: [5], source: 'narrow' })), /narrow has 5 features per row but the detector was fitted on 6/);
  const nan = planeData(3, 1);
  nan.x[4] = NaN;
  assert.throws(() => det.score(nan), /row 1, column 5: value NaN is not finite/);
});

test('thresholds: contamination and percentile are quantiles of the training scores; fixed is itself', async () => {
  const s = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(quantile(s, 0.5), 5.5);
  assert.equal(thresholdFrom({ kind: 'contamination', value: 0.1 }, s), 9.1);
  assert.equal(thresholdFrom({ kind: 'percentile', value: 90 }, s), 9.1);
  assert.equal(thresholdFrom({ kind: 'fixed', value: 3.5 }, s), 3.5);
  assert.throws(() => thresholdFrom({ kind: 'contamination', value: 0.7 }, s), /contamination must be in \(0, 0.5\)/);
  assert.throws(() => thresholdFrom({ kind: 'percentile', value: 100 }, s), /percentile must be in \(0, 100\)/);
});

test('a saved detector loads with the same threshold and scores, and a new threshold round-trips', async () => {
  const det = await new AnomalyDetector({ ...FAST, threshold: { kind: 'percentile', value: 95 } }).fit(planeData(300, 1));
  const dir = join(mkdtempSync(join(tmpdir(), 'aekit-anomaly-')), 'det');
  saveDetector(dir, det, { rule: { kind: 'percentile', value: 95 }, sampleShape: [6], featureNames: ['a', 'b', 'c', 'd', 'e', 'f'] });
  const { detector, record } = loadDetector(dir);
  assert.equal(detector.threshold, det.threshold);
  assert.equal(record.members, 2);
  assert.deepEqual(record.rule, { kind: 'percentile', value: 95 });
  assert.equal(record.training.quantiles['0.95'], det.threshold);
  const rows = planeData(50, 4);
  assert.deepEqual([...detector.score(rows)], [...det.score(rows)]);
  saveThreshold(dir, 1.25, { kind: 'fixed', value: 1.25 });
  assert.equal(loadDetector(dir).detector.threshold, 1.25);
  assert.equal(JSON.parse(readFileSync(join(dir, 'anomaly.json'), 'utf8')).rule.kind, 'fixed');
  assert.throws(() => saveDetector(dir, det, { rule: { kind: 'fixed', value: 1 }, sampleShape: [6] }), /already holds|not empty/);
});

test('the tabular default keeps the code narrower than the hidden layer at every width', async () => {
  for (const d of [1, 3, 6, 9, 32, 64, 100, 274, 784]) {
    const m = defaultAnomalyModel(d);
    const [h] = m.hidden as number[];
    assert.ok((m.latentDim as number) <= h! / 2 && (m.latentDim as number) >= 2, `width ${d}: ${h} → ${m.latentDim}`);
  }
  assert.deepEqual(topFeatures(Float32Array.from([1, 3, 2, 0, 5, 5]), 2, 3, 2), { features: Int32Array.from([1, 2, 1, 2]), errors: Float32Array.from([3, 2, 5, 5]) });
});

test('a standardised ensemble of an autoencoder and a VAE: each member scaled by its own training scores, same scores after save and load, same seed same scores', async () => {
  const vae = { kind: 'vae', hidden: [12], latentDim: 2, likelihood: 'gaussian', activation: 'tanh' };
  const opts = { model: [defaultAnomalyModel(6), vae], members: 3, combine: 'standardized' as const, train: { seed: 5, epochs: 100 } };
  const train = planeData(300, 1);
  const det = await new AnomalyDetector(opts).fit(train);
  assert.deepEqual(det.members.map((m) => m.kind), ['dense', 'vae', 'dense'], 'members take the configs in turn');
  assert.equal(det.featureWeights, null);
  assert.equal(det.memberWeights!.length, 3);
  // The training scores are the mean of the members' robust z-scores: their median sits near 0.
  const med = quantile(det.trainingScores, 0.5);
  assert.ok(Math.abs(med) < 0.3, `median training score ${med}`);
  // By hand for one row: mean over members of (Σ_j w_mj e_mij / d − center_m) / scale_m.
  const rows = planeData(40, 4);
  const x = det.normalized(rows);
  const byHand = new Float64Array(rows.n);
  det.members.forEach((model, m) => {
    const e = squaredErrors(model, x);
    const w = det.memberWeights![m]!;
    const { center, scale } = det.memberScales![m]!;
    for (let i = 0; i < rows.n; i++) {
      let s = 0;
      for (let j = 0; j < 6; j++) s += e[i * 6 + j]! * w[j]!;
      byHand[i]! += (s / 6 - center) / scale / 3;
    }
  });
  const scores = det.score(rows);
  for (let i = 0; i < rows.n; i++) assert.ok(Math.abs(scores[i]! - byHand[i]!) < 1e-4 * (1 + Math.abs(byHand[i]!)), `row ${i}: ${scores[i]} against ${byHand[i]}`);
  const t = planeData(200, 2);
  const auc = rocAuc(det.score(t), t.labels!);
  assert.ok(auc > 0.95, `ROC-AUC ${auc}`);
  const again = await new AnomalyDetector(opts).fit(train);
  assert.deepEqual([...again.score(rows)], [...scores], 'the same seed gives the same detector');
  const dir = join(mkdtempSync(join(tmpdir(), 'aekit-anomaly-')), 'det');
  saveDetector(dir, det, { rule: { kind: 'contamination', value: 0.1 }, sampleShape: [6] });
  const { detector, record } = loadDetector(dir);
  assert.equal(record.members, 3);
  assert.deepEqual(detector.members.map((m) => m.kind), ['dense', 'vae', 'dense']);
  assert.deepEqual(detector.memberScales, det.memberScales);
  assert.deepEqual([...detector.score(rows)], [...scores]);
  assert.equal(detector.threshold, det.threshold);
  // A record whose per-member fields do not fit the members is refused with the file and field named.
  const path = join(dir, 'anomaly.json');
  const rec = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify({ ...rec, memberScales: rec.memberScales.slice(1) }));
  assert.throws(() => loadDetector(dir), /anomaly\.json: memberScales has 2 entries but the detector has 3 members/);
  writeFileSync(path, JSON.stringify({ ...rec, memberScales: [{ center: 0, scale: -1 }, ...rec.memberScales.slice(1)] }));
  assert.throws(() => loadDetector(dir), /anomaly\.json: memberScales must be null or a list/);
  writeFileSync(path, JSON.stringify({ ...rec, memberWeights: null }));
  assert.throws(() => loadDetector(dir), /memberWeights and memberScales must both be given or both be null/);
  // subEnsemble: the autoencoders alone, errors averaged, recalibrated on the training rows without training.
  const aes = det.subEnsemble([0, 2], train, 'mean');
  assert.deepEqual([aes.members.map((m) => m.kind), aes.combine, aes.memberScales, aes.featureWeights?.length], [['dense', 'dense'], 'mean', null, 6]);
  assert.equal(aes.members[0], det.members[0], 'the same trained models');
  assert.equal(aes.trainingScores.length, 300);
  assert.ok(rocAuc(aes.score(t), t.labels!) > 0.9);
  assert.throws(() => det.subEnsemble([3], train, 'mean'), /indices must be a non-empty list of members in \[0, 3\)/);
  await assert.rejects(new AnomalyDetector({ ...opts, model: [] }).fit(train), /list of model configs is empty/);
  await assert.rejects(new AnomalyDetector({ ...opts, model: vae, score: 'likelihood' }).fit(train), /combine 'standardized' works on reconstruction scores/);
});

test('with no model given the detector is the default ensemble: autoencoders and VAEs in turn, standardised', async () => {
  const det = await new AnomalyDetector({ members: 2, train: { seed: 1, epochs: 5 } }).fit(planeData(100, 1));
  assert.deepEqual([det.members.map((m) => m.kind), det.combine], [['dense', 'vae'], 'standardized']);
  assert.deepEqual(defaultAnomalyOptions(6), { model: [defaultAnomalyModel(6), defaultAnomalyVae(6)], members: 10, combine: 'standardized' });
});

test('robustScale: median and IQR / 1.349, never a zero scale', () => {
  assert.deepEqual(robustScale(Float64Array.from([5, 1, 3, 2, 4])), { center: 3, scale: 2 / 1.349 });
  const flat = robustScale(Float64Array.from([2, 2, 2]));
  assert.equal(flat.center, 2);
  assert.ok(flat.scale > 0);
});
