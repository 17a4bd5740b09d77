/**
 * From a DataConfig to the splits a run trains on: read the data set, refuse NaN/Inf, hold out a
 * validation split, and fit normalisation on the training split only (then apply it everywhere).
 */
import { existsSync, statSync } from 'node:fs';
import {
  checkFinite, fitNormalizer, loadMnist, loadNpy, makeDataset, readCsv, readIdx, readImageFolder, splitValidation,
  type Dataset, type ImageFolderDataset, type ImageSize, type Normalizer,
} from '../data/index.js';
import { Rng } from '../core/index.js';
import { UsageError } from '../util/errors.js';
import type { DataConfig } from './config.js';

export interface PreparedData {
  train: Dataset;
  val: Dataset | null;
  test: Dataset | null;
  sampleShape: number[];
  normalizer: Normalizer | null;
  /** What the user should know about the data (images resized to a size they did not choose). */
  notes: string[];
}

/** Read one data set: 'mnist' / 'mnist:test', a .csv, .npy or IDX file, or a folder of images. */
export interface LoadOptions {
  labelColumn?: string | null;
  header?: 'auto' | 'yes' | 'no';
  split?: 'train' | 'test';
  limit?: number | null;
  /** Image folders: grey or RGB, the size (default: the first image's), and class names whose labels to keep. */
  channels?: 1 | 3;
  imageSize?: ImageSize | null;
  classNames?: readonly string[] | null;
}

export function loadDataset(spec: string, opts: LoadOptions = {}): Dataset {
  const limit = opts.limit ?? undefined;
  if (spec === 'mnist' || spec === 'mnist:train' || spec === 'mnist:test') {
    const split = spec === 'mnist:test' ? 'test' : spec === 'mnist:train' ? 'train' : (opts.split ?? 'train');
    return loadMnist(split, limit !== undefined ? { limit } : {});
  }
  if (!existsSync(spec)) throw new Error(`no such file: ${spec}`);
  if (statSync(spec).isDirectory()) {
    return readImageFolder(spec, { channels: opts.channels ?? 1, size: opts.imageSize ?? null, limit: limit ?? null, classNames: opts.classNames ?? null });
  }
  const ds = readAny(spec, opts);
  return limit !== undefined && limit < ds.n ? { ...ds, n: limit, x: ds.x.subarray(0, limit * ds.dim), labels: ds.labels?.subarray(0, limit) ?? null } : ds;
}

function readAny(path: string, opts: LoadOptions): Dataset {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) {
    const header = opts.header === 'yes' ? { header: true } : opts.header === 'no' ? { header: false } : {};
    return readCsv(path, { ...header, ...(opts.labelColumn != null ? { labelColumn: opts.labelColumn } : {}) });
  }
  if (lower.endsWith('.npy')) return loadNpy(path);
  const { shape, data } = readIdx(path);
  if (shape[0] === 0) throw new Error(`${path}: the IDX file holds no rows`);
  const scale = data instanceof Uint8Array ? 1 / 255 : 1;
  const x = Float32Array.from(data, (v) => v * scale);
  // An IDX image file (N, H, W) holds grey images: one channel, channels first like MNIST.
  const sampleShape = shape.length === 1 ? [1] : shape.length === 3 ? [1, ...shape.slice(1)] : shape.slice(1);
  return makeDataset({ x, sampleShape, source: path });
}

/** The fixed seed of stochastic binarisation, so every run (and every eval) sees the same binary data. */
const BINARIZE_SEED = 0x62696e;

/**
 * Stochastic binarisation in place: x ← 1 with probability x (values must lie in [0, 1]). The draws
 * come from a fixed stream per split, so the binary data set is the same in every run.
 */
export function binarize(ds: Dataset, split: 'train' | 'test'): void {
  const rng = Rng.derive(BINARIZE_SEED, split === 'train' ? 0 : 1);
  for (let i = 0; i < ds.x.length; i++) {
    const v = ds.x[i]!;
    if (!(v >= 0 && v <= 1)) throw new Error(`${ds.source}: value ${v} at row ${Math.floor(i / ds.dim) + 1} is outside [0, 1], so it cannot be binarised`);
    ds.x[i] = rng.uniform() < v ? 1 : 0;
  }
}

/** The rows of a followed by the rows of b (same sample shape); labels kept only when both have them. */
function joinRows(a: Dataset, b: Dataset): Dataset {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const labels = a.labels && b.labels ? Int32Array.from([...a.labels, ...b.labels]) : null;
  return makeDataset({ x, sampleShape: a.sampleShape, labels, source: `${a.source} + ${b.source}` });
}

export function prepareData(cfg: DataConfig, seed: number): PreparedData {
  const { labelColumn, header, channels } = cfg;
  const full = loadDataset(cfg.dataset, { labelColumn, header, channels, imageSize: cfg.imageSize, split: 'train', limit: cfg.limit });
  checkFinite(full);
  if ((channels !== 1 || cfg.imageSize !== null) && !isImageFolder(full)) {
    throw new UsageError(`--channels and --image-size apply to folders of images; ${full.source} is not one`);
  }
  const testSpec = cfg.testDataset ?? (cfg.dataset === 'mnist' ? 'mnist:test' : null);
  // Test images take the training images' size, and their class folders the training labels.
  const imageSize = cfg.imageSize ?? imageSizeOf(full.sampleShape);
  const classNames = isImageFolder(full) ? full.classNames : null;
  const test = testSpec ? loadDataset(testSpec, { labelColumn, header, channels, imageSize, classNames, split: 'test' }) : null;
  const notes = cfg.imageSize === null ? [full, test].flatMap((ds) => resizeNote(ds)) : [];
  if (test) {
    checkFinite(test);
    if (test.dim !== full.dim) throw new Error(`${test.source} has ${test.dim} features per sample but ${full.source} has ${full.dim}`);
  }
  if (cfg.binarize === 'stochastic') {
    binarize(full, 'train');
    if (test) binarize(test, 'test');
  }
  if (cfg.trainOnTest && !test) throw new UsageError(`--train-on-test needs test data; ${full.source} has none (give --test-data)`);
  const { train, val } = splitValidation(cfg.trainOnTest && test ? joinRows(full, test) : full, cfg.valFraction, seed);
  const normalizer = cfg.normalize === 'none' ? null : fitNormalizer(cfg.normalize, train);
  if (normalizer) {
    // splitValidation copies rows, so normalising the splits never touches `full`'s memory twice.
    normalizer.apply(train);
    if (val) normalizer.apply(val);
    if (test) normalizer.apply(test);
  }
  return { train, val, test, sampleShape: full.sampleShape, normalizer, notes };
}

function isImageFolder(ds: Dataset): ds is ImageFolderDataset {
  return 'classNames' in ds && 'resized' in ds;
}

/** The height and width of samples shaped (channels, height, width), such as images and MNIST. */
function imageSizeOf(shape: readonly number[]): ImageSize | null {
  return shape.length === 3 ? { width: shape[2]!, height: shape[1]! } : null;
}

function resizeNote(ds: Dataset | null): string[] {
  if (ds === null || !isImageFolder(ds) || ds.resized === 0) return [];
  const [, h, w] = ds.sampleShape;
  return [`${ds.source}: ${ds.resized} of ${ds.n} images were resized to ${w}x${h}, the first training image's size (--image-size sets it)`];
}
