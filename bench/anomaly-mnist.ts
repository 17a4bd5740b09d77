/**
 * One-class MNIST: for each digit, fit a detector on that digit's training images only (about
 * 6,000) and score all 10,000 test images; the other nine digits are the anomalies. ROC-AUC per
 * digit for aekit's autoencoder detector (its default per-feature weighting, and uniform weights)
 * and for PCA with the same code width (plain squared residuals), in one run.
 * Pixels stay in [0, 1] (no standardisation: a pixel that one digit never inks would get a huge
 * scale). The autoencoder is the tabular default for width 784 (784-64-16-64-784, linear output,
 * MSE, AdamW, about 1,500 steps, an ensemble of 5 on 80% subsamples); PCA keeps 16 components.
 *   node dist/bench/anomaly-mnist.js [--digits 0,1] [--members 5] [--out bench/results/anomaly-mnist.json]
 */
import { parseArgs } from 'node:util';
import { registerBuiltinBackends } from '../src/backends/index.js';
import { setBackend } from '../src/core/index.js';
import { loadMnist, makeDataset, subset, type Dataset } from '../src/data/index.js';
import { AnomalyDetector, defaultAnomalyModel } from '../src/apps/anomaly.js';
import { rocAuc } from '../src/apps/binary-metrics.js';
import { fitPca } from '../src/apps/pca.js';
import { pcaScores } from './anomaly-pca.js';
import { writeJsonAtomic } from '../src/util/atomic.js';

const { values } = parseArgs({
  options: {
    digits: { type: 'string', default: '0,1,2,3,4,5,6,7,8,9' },
    members: { type: 'string', default: '5' },
    out: { type: 'string', default: '' },
    backend: { type: 'string', default: 'auto' },
  },
});
registerBuiltinBackends();
const be = await setBackend(values.backend!);
be.setThreads?.(2);

/** MNIST as rows of 784 values (the detector's dense model takes vectors). */
const flat = (ds: Dataset): Dataset => makeDataset({ x: ds.x, sampleShape: [784], labels: ds.labels, source: ds.source });
const train = flat(loadMnist('train'));
const test = flat(loadMnist('test'));
const digits = values.digits!.split(',').map(Number);
const members = Number(values.members);
const model = defaultAnomalyModel(784);
const k = model.latentDim as number;
const results: Record<string, Record<string, number>> = { ae: {}, aeUniform: {}, pca: {} };
const t0 = performance.now();
console.log(`digit   rows      ae  ae-uni     pca   (model 784-${(model.hidden as number[]).join('-')}-${k}, ${members} members; PCA ${k} components)`);
for (const d of digits) {
  const rows = Int32Array.from({ length: train.n }, (_, i) => i).filter((i) => train.labels![i] === d);
  const normal = subset(train, rows);
  const isAnomaly = Int32Array.from(test.labels!, (y) => (y === d ? 0 : 1));
  const det = await new AnomalyDetector({ model, members, normalize: 'none', train: { seed: 1 } }).fit(normal);
  results.ae![d] = rocAuc(det.score(test), isAnomaly);
  const uniform = await new AnomalyDetector({ model, members, normalize: 'none', featureWeighting: 'uniform', train: { seed: 1 } }).fit(normal);
  results.aeUniform![d] = rocAuc(uniform.score(test), isAnomaly);
  results.pca![d] = rocAuc(pcaScores(fitPca(normal, k), test), isAnomaly);
  console.log(`${String(d).padStart(5)} ${String(normal.n).padStart(6)}  ${results.ae![d]!.toFixed(3)}   ${results.aeUniform![d]!.toFixed(3)}   ${results.pca![d]!.toFixed(3)}`);
}
const mean = (r: Record<string, number>) => digits.reduce((s, d) => s + r[d]!, 0) / digits.length;
console.log(`mean          ${mean(results.ae!).toFixed(3)}   ${mean(results.aeUniform!).toFixed(3)}   ${mean(results.pca!).toFixed(3)}   (${((performance.now() - t0) / 1000).toFixed(0)} s, backend ${be.name})`);
if (values.out) {
  writeJsonAtomic(values.out, {
    protocol: "train on one digit's 60k-split training images, score all 10,000 test images, anomalies = the other nine digits; pixels in [0, 1]; ROC-AUC",
    model, members, pcaComponents: k, backend: be.name, date: new Date().toISOString(),
    mean: { ae: mean(results.ae!), aeUniform: mean(results.aeUniform!), pca: mean(results.pca!) }, ...results,
  });
}
