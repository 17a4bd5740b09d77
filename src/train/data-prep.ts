/**
 * The pure half of data preparation, shared by the CLI (data-setup.ts, which reads files) and the
 * browser studio (which has bytes): binarise, hold out the validation split, fit normalisation on
 * the training split and apply it everywhere. The same seed gives the same splits in both.
 */
import { Rng } from '../core/index.js';
import { checkFinite, makeDataset, type Dataset } from '../data/dataset.js';
import { fitNormalizer, type Normalizer } from '../data/normalize.js';
import { splitValidation } from '../data/split.js';
import { UsageError } from '../util/errors.js';
import type { DataConfig } from './config.js';
import type { BatchTransform } from './trainer.js';

export interface PreparedData {
  train: Dataset;
  val: Dataset | null;
  test: Dataset | null;
  sampleShape: number[];
  normalizer: Normalizer | null;
  /** What the user should know about the data (images resized to a size they did not choose). */
  notes: string[];
}

/** The fixed seed of stochastic binarisation, so every run (and every eval) sees the same binary data. */
const BINARIZE_SEED = 0x62696e;

/** The fixed draws of each split (a validation split held out of dynamically binarised data has its own). */
const SPLIT_STREAM = { train: 0, test: 1, val: 2 } as const;

/**
 * Stochastic binarisation in place: x ← 1 with probability x (values must lie in [0, 1]). The draws
 * come from a fixed stream per split, so the binary data set is the same in every run.
 */
export function binarize(ds: Dataset, split: keyof typeof SPLIT_STREAM): void {
  checkUnitInterval(ds);
  binarizeRows(ds.x, Rng.derive(BINARIZE_SEED, SPLIT_STREAM[split]));
}

/** x ← 1 with probability x, in place (values already checked to lie in [0, 1]). */
export function binarizeRows(x: Float32Array, rng: Rng): void {
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform() < x[i]! ? 1 : 0;
}

function checkUnitInterval(ds: Dataset): void {
  for (let i = 0; i < ds.n * ds.dim; i++) {
    const v = ds.x[i]!;
    if (!(v >= 0 && v <= 1)) throw new Error(`${ds.source}: value ${v} at row ${Math.floor(i / ds.dim) + 1} is outside [0, 1], so it cannot be binarised`);
  }
}

/**
 * What the trainer does to each training batch before the model sees it: with dynamic binarisation
 * (Salakhutdinov & Murray 2008; the setup behind Burda et al. 2015's NLLs) a fresh Bernoulli draw of
 * every pixel, so each epoch sees another binary version of the same digits; null otherwise.
 */
export function trainingBatchTransform(cfg: Pick<DataConfig, 'binarize'>): BatchTransform | null {
  return cfg.binarize === 'dynamic' ? binarizeRows : null;
}

/** The rows of a followed by the rows of b (same sample shape); labels kept only when both have them. */
function joinRows(a: Dataset, b: Dataset): Dataset {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const labels = a.labels && b.labels ? Int32Array.from([...a.labels, ...b.labels]) : null;
  return makeDataset({ x, sampleShape: a.sampleShape, labels, source: `${a.source} + ${b.source}` });
}

/** From the data set read (`full`, already limited) and its test set to the splits a run trains on. */
export function splitData(full: Dataset, test: Dataset | null, cfg: DataConfig, seed: number, notes: string[] = []): PreparedData {
  checkFinite(full);
  if (test) {
    checkFinite(test);
    if (test.dim !== full.dim) throw new Error(`${test.source} has ${test.dim} features per sample but ${full.source} has ${full.dim}`);
  }
  if (cfg.binarize === 'stochastic') binarize(full, 'train');
  // Dynamic binarisation keeps the training values and draws afresh per batch; evaluation data is drawn once.
  if (cfg.binarize === 'dynamic') checkUnitInterval(full);
  if (cfg.binarize !== 'none' && test) binarize(test, 'test');
  if (cfg.trainOnTest && !test) throw new UsageError(`--train-on-test needs test data; ${full.source} has none (give --test-data)`);
  if (cfg.trainOnTest && cfg.binarize === 'dynamic') throw new UsageError('--train-on-test with --binarize dynamic would train on the test digits binarised two ways; choose one');
  const { train, val } = splitValidation(cfg.trainOnTest && test ? joinRows(full, test) : full, cfg.valFraction, seed);
  if (cfg.binarize === 'dynamic' && val) binarize(val, 'val');
  const normalizer = cfg.normalize === 'none' ? null : fitNormalizer(cfg.normalize, train);
  if (normalizer) {
    // splitValidation copies rows, so normalising the splits never touches `full`'s memory twice.
    normalizer.apply(train);
    if (val) normalizer.apply(val);
    if (test) normalizer.apply(test);
  }
  return { train, val, test, sampleShape: full.sampleShape, normalizer, notes };
}

/** MNIST from the bytes of its IDX files: pixels ÷255 as float32, shape (1, 28, 28), digit labels; the first `limit` kept. */
export function mnistFromBytes(images: { shape: number[]; data: ArrayLike<number> }, labels: { data: ArrayLike<number> }, source: string, limit: number | null = null): Dataset {
  const n = Math.min(limit ?? Infinity, images.shape[0]!, labels.data.length);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! / 255;
  return makeDataset({ x, sampleShape: [1, 28, 28], labels: Int32Array.from({ length: n }, (_, i) => labels.data[i]!), source });
}
