/** MNIST loading (loadMnistFiles, what loadMnist reads): a fuzzed images file with good labels, and the reverse. */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Dataset } from '../../data/dataset.js';
import { loadMnistFiles } from '../../data/mnist.js';
import { checkDataset, type FuzzTarget } from '../target.js';
import { idxBytes, repairIdx } from './idx.js';

const IMAGES = 2;

function imagesFile(): Uint8Array {
  const pixels = Array.from({ length: IMAGES * 784 }, (_, i) => (i * 37) % 256);
  return idxBytes(0x08, [IMAGES, 28, 28], pixels);
}

function labelsFile(): Uint8Array {
  return idxBytes(0x08, [IMAGES], [5, 0]);
}

/** The good companion of a fuzzed file, written once beside it. */
function companion(path: string, name: string, bytes: () => Uint8Array): string {
  const file = join(dirname(path), name);
  if (!existsSync(file)) writeFileSync(file, bytes());
  return file;
}

function checkMnist(ds: Dataset, path: string): string | null {
  if (ds.sampleShape.join() !== '1,28,28') return `sample shape [${ds.sampleShape}]`;
  if (ds.x.some((v) => !(v >= 0 && v <= 1))) return 'a pixel outside [0, 1]';
  return checkDataset(ds, path);
}

export const mnistImages: FuzzTarget<Dataset> = {
  name: 'mnist-images',
  ext: '-images-idx3-ubyte',
  seeds: () => [imagesFile()],
  repair: repairIdx,
  run: (_bytes, path) => loadMnistFiles(path, companion(path, 'good-labels-idx1-ubyte', labelsFile)),
  check: (ds, _bytes, path) => checkMnist(ds, path),
};

export const mnistLabels: FuzzTarget<Dataset> = {
  name: 'mnist-labels',
  ext: '-labels-idx1-ubyte',
  seeds: () => [labelsFile()],
  repair: repairIdx,
  run: (_bytes, path) => loadMnistFiles(companion(path, 'good-images-idx3-ubyte', imagesFile), path),
  check: (ds) => checkMnist(ds, ds.source),
};
