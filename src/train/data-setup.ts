/**
 * From a DataConfig to the splits a run trains on: read the data set, refuse NaN/Inf, hold out a
 * validation split, and fit normalisation on the training split only (then apply it everywhere).
 */
import { existsSync, statSync } from 'node:fs';
import {
  loadMnist, loadNpy, makeDataset, readCsv, readIdx, readImageFolder,
  type Dataset, type ImageFolderDataset, type ImageSize,
} from '../data/index.js';
import { splitData, type PreparedData } from './data-prep.js';
import { UsageError } from '../util/errors.js';
import type { DataConfig } from './config.js';

export { binarize, type PreparedData } from './data-prep.js';

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

export function prepareData(cfg: DataConfig, seed: number): PreparedData {
  const { labelColumn, header, channels } = cfg;
  const full = loadDataset(cfg.dataset, { labelColumn, header, channels, imageSize: cfg.imageSize, split: 'train', limit: cfg.limit });
  if ((channels !== 1 || cfg.imageSize !== null) && !isImageFolder(full)) {
    throw new UsageError(`--channels and --image-size apply to folders of images; ${full.source} is not one`);
  }
  const testSpec = cfg.testDataset ?? (cfg.dataset === 'mnist' ? 'mnist:test' : null);
  // Test images take the training images' size, and their class folders the training labels.
  const imageSize = cfg.imageSize ?? imageSizeOf(full.sampleShape);
  const classNames = isImageFolder(full) ? full.classNames : null;
  const test = testSpec ? loadDataset(testSpec, { labelColumn, header, channels, imageSize, classNames, split: 'test' }) : null;
  const notes = cfg.imageSize === null ? [full, test].flatMap((ds) => resizeNote(ds)) : [];
  return splitData(full, test, cfg, seed, notes);
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
