/** Every fuzz target; a new reader (or a CLI command that reads a file) joins by being listed here. */
import type { FuzzTarget } from '../target.js';
import { cli } from './cli.js';
import { csv, csvLabelled } from './csv.js';
import { dataCsv, dataIdx, dataNpy } from './dataset.js';
import { idx } from './idx.js';
import { image } from './image.js';
import { mnistImages, mnistLabels } from './mnist.js';
import { npy, npyDataset } from './npy.js';
import { png } from './png.js';
import { configJson, optimizerFile, runJson, stateJson } from './run-files.js';
import { safetensorsTarget } from './safetensors.js';

export const TARGETS: readonly FuzzTarget[] = [
  csv, csvLabelled, npy, npyDataset, idx, mnistImages, mnistLabels, safetensorsTarget, png, image, dataCsv, dataNpy, dataIdx,
  configJson, runJson, stateJson, optimizerFile, cli,
];
