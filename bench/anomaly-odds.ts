/**
 * Anomaly benchmark over the ODDS tables (../shared/data/odds/, label column `label`, 1 = outlier).
 * Protocol, declared: for each set and each of 10 seeds, shuffle the rows with that seed and cut
 * them 60/40 within each class (stratified); train on the 60% (outliers included, unlabelled: the
 * detector never sees a label), test on the other 40%; standardise on the training rows; report
 * the test ROC-AUC, mean over seeds. The detectors run with one fixed default for every set (a
 * function of the width and the row count only, see apps/anomaly.ts), never tuned on test labels:
 * aekit's dense autoencoder detector (an ensemble of 5 on 80% subsamples; score = squared
 * reconstruction error per feature, each feature weighted by 1 / its mean over the training rows),
 * aekit's VAE (same widths, tanh units, Gaussian decoder, same ensemble and score), and PCA with the
 * autoencoder's code width on standardised features, scored by plain (`pca`) and by weighted
 * (`pca-w`) squared residuals, all in the same run.
 *   node dist/bench/anomaly-odds.js [--sets a,b] [--seeds 10] [--detectors ae,vae,pca] [--out bench/results/anomaly.json]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { registerBuiltinBackends } from '../src/backends/index.js';
import { Rng, setBackend } from '../src/core/index.js';
import { fitNormalizer, readCsv, subset, type Dataset } from '../src/data/index.js';
import { AnomalyDetector, defaultAnomalyModel, defaultAnomalyOptions, defaultAnomalyVae, type AnomalyOptions } from '../src/apps/anomaly.js';
import { rocAuc } from '../src/apps/binary-metrics.js';
import { fitPca } from '../src/apps/pca.js';
import { pcaScores } from './anomaly-pca.js';
import { writeJsonAtomic } from '../src/util/atomic.js';

/** The 17 sets of PyOD's benchmark table (the folder also holds thyroid and breastw). */
export const PYOD_SETS = ['arrhythmia', 'cardio', 'glass', 'ionosphere', 'letter', 'lympho', 'mnist', 'musk', 'optdigits', 'pendigits', 'pima', 'satellite', 'satimage-2', 'shuttle', 'vertebral', 'vowels', 'wbc'];
/** PyOD's published per-set ROC-AUC of its AutoEncoder (TARGETS.md), where it lists one. */
const PYOD_AE: Record<string, number> = { cardio: 0.785, mnist: 0.857, satellite: 0.643, shuttle: 0.994, wbc: 0.956, arrhythmia: 0.812, pima: 0.719, vowels: 0.931, musk: 0.885, pendigits: 0.669 };

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/odds' },
    sets: { type: 'string', default: '' },
    seeds: { type: 'string', default: '10' },
    detectors: { type: 'string', default: 'default,ae,vae,pca,pca-w' },
    members: { type: 'string', default: '5' },
    out: { type: 'string', default: '' },
    backend: { type: 'string', default: 'auto' },
  },
});
const dataDir = values.data!;
const sets = values.sets ? values.sets.split(',') : PYOD_SETS;
const seeds = Number(values.seeds);
const members = Number(values.members);
const detectors = values.detectors!.split(',');

registerBuiltinBackends();
const be = await setBackend(values.backend!);
be.setThreads?.(2);

/**
 * The rows of `ds` shuffled with `seed` and cut 60/40 within each class (stratified), so every test
 * split holds outliers: glass has 9, and a plain cut left none in the test rows for some seeds.
 */
function split(ds: Dataset, seed: number): { train: Dataset; test: Dataset } {
  const rng = new Rng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [0, 1]) {
    const idx = Array.from({ length: ds.n }, (_, i) => i).filter((i) => ds.labels![i] === cls);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const cut = Math.round(0.6 * idx.length);
    train.push(...idx.slice(0, cut));
    test.push(...idx.slice(cut));
  }
  // Mix the classes again, so training batches see outliers where chance puts them.
  for (let i = train.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [train[i], train[j]] = [train[j]!, train[i]!];
  }
  return { train: subset(ds, train), test: subset(ds, test) };
}

/** The autoencoder detectors by name: the settings each adds to the seed. */
const AE_DETECTORS: Record<string, (width: number) => AnomalyOptions> = {
  ae: (w) => ({ model: defaultAnomalyModel(w), members }),
  vae: (w) => ({ model: defaultAnomalyVae(w), members }),
  'ae-z': (w) => ({ model: defaultAnomalyModel(w), members, combine: 'standardized' }),
  'vae-z': (w) => ({ model: defaultAnomalyVae(w), members, combine: 'standardized' }),
  mix: (w) => ({ model: [defaultAnomalyModel(w), defaultAnomalyVae(w)], members: 2 * members, combine: 'standardized' }),
  default: (w) => defaultAnomalyOptions(w),
  'mix-mean': (w) => ({ model: [defaultAnomalyModel(w), defaultAnomalyVae(w)], members: 2 * members, combine: 'mean' }),
};

function aeOptions(det: string, width: number, seed: number): AnomalyOptions {
  const make = AE_DETECTORS[det];
  if (!make) throw new Error(`unknown detector ${det} (known: ${[...Object.keys(AE_DETECTORS), 'pca', 'pca-w'].join(', ')})`);
  return { ...make(width), train: { seed } };
}

/** PCA with the autoencoder's code width, fitted on the standardised training rows; `weighted`: residuals weighted per feature as the detector's are. */
function pcaOnStandardised(train: Dataset, test: Dataset, weighted: boolean): Float64Array {
  const norm = fitNormalizer('standard', train);
  const [tr, te] = [train, test].map((d) => norm.apply({ ...d, x: d.x.slice() }));
  const p = fitPca(tr!, defaultAnomalyModel(train.dim).latentDim as number);
  return weighted ? pcaScores(p, te!, tr!) : pcaScores(p, te!);
}

/**
 * With `default` in the run, 'ae' and 'vae' are not trained again: they are the default ensemble's
 * 5 autoencoders (members 0, 2, …) and 5 VAEs (members 1, 3, …), each group combined as those
 * detectors combine ('mean', weighted by their mean errors) and calibrated on the same training
 * rows: the same configs, subsamples and training as `--detectors ae` gives, with other seeds.
 * The seconds of 'default' then include all the training.
 */
let fittedDefault: { train: Dataset; det: AnomalyDetector } | null = null;

async function scoresOf(det: string, train: Dataset, test: Dataset, seed: number): Promise<Float64Array> {
  if (det === 'pca' || det === 'pca-w') return pcaOnStandardised(train, test, det === 'pca-w');
  const shared = detectors.includes('default') && (det === 'ae' || det === 'vae');
  if (det === 'default' || shared) {
    if (fittedDefault?.train !== train) fittedDefault = { train, det: await new AnomalyDetector(aeOptions('default', train.dim, seed)).fit(train) };
    const d = fittedDefault.det;
    if (!shared) return d.score(test);
    return d.subEnsemble(d.members.map((_, m) => m).filter((m) => m % 2 === (det === 'ae' ? 0 : 1)), train, 'mean').score(test);
  }
  return (await new AnomalyDetector(aeOptions(det, train.dim, seed)).fit(train)).score(test);
}

const available = new Set(readdirSync(dataDir).filter((f) => f.endsWith('.csv')).map((f) => f.slice(0, -4)));
const results: Record<string, Record<string, number>> = Object.fromEntries(detectors.map((d) => [d, {}]));
const seconds: Record<string, number> = Object.fromEntries(detectors.map((d) => [d, 0]));
console.log(`set          n      d  ${detectors.map((d) => d.padStart(7)).join(' ')}  PyOD AE`);
for (const name of sets) {
  if (!available.has(name)) throw new Error(`${dataDir} has no ${name}.csv`);
  const ds = readCsv(join(dataDir, `${name}.csv`), { labelColumn: 'label' });
  const sum: Record<string, number> = Object.fromEntries(detectors.map((d) => [d, 0]));
  for (let seed = 1; seed <= seeds; seed++) {
    const { train, test } = split(ds, seed);
    for (const det of detectors) {
      const t0 = performance.now();
      sum[det]! += rocAuc(await scoresOf(det, train, test, seed), test.labels!);
      seconds[det]! += (performance.now() - t0) / 1000;
    }
  }
  const row = detectors.map((det) => {
    results[det]![name] = sum[det]! / seeds;
    return (sum[det]! / seeds).toFixed(3).padStart(7);
  });
  console.log(`${name.padEnd(11)} ${String(ds.n).padStart(6)} ${String(ds.dim).padStart(5)}  ${row.join(' ')}  ${PYOD_AE[name]?.toFixed(3) ?? ''}`);
}
const mean = (r: Record<string, number>, names: string[]) => names.reduce((s, n) => s + r[n]!, 0) / names.length;
const pyod = sets.filter((s) => PYOD_SETS.includes(s));
console.log(`mean over ${pyod.length} PyOD sets: ${detectors.map((d) => `${d} ${mean(results[d]!, pyod).toFixed(4)}`).join('  ')}`);
console.log(`seconds: ${detectors.map((d) => `${d} ${seconds[d]!.toFixed(0)}`).join('  ')}`);
if (values.out) {
  writeJsonAtomic(values.out, {
    protocol: 'shuffle with seed s (s = 1..N), 60/40 train/test stratified by label, standardise on train, train unlabelled (outliers included), test ROC-AUC averaged over seeds; score = squared reconstruction error per feature weighted by 1 / its training mean (pca: unweighted); default: 5 autoencoders + 5 VAEs, robust z-scores per member averaged; ae and vae: its autoencoder and VAE members, mean-combined; one fixed default for every set',
    seeds, members, backend: be.name, date: new Date().toISOString(),
    meanOverPyodSets: Object.fromEntries(detectors.map((d) => [d, mean(results[d]!, pyod)])),
    seconds,
    ...results,
  });
}
