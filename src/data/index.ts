/**
 * aekit/data: datasets, readers (IDX, MNIST, CSV, NPY, folders of PNG/JPEG images), normalisation, validation splits and batch loading.
 *
 * @example
 * import { loadMnist, splitValidation, fitNormalizer, BatchLoader, gatherRows } from 'aekit/data';
 * const { train, val } = splitValidation(loadMnist('train', { limit: 1000 }), 0.1, 42);
 * const norm = fitNormalizer('standard', train); // statistics from the training split only
 * norm.apply(train);
 * if (val !== null) norm.apply(val);
 * const loader = new BatchLoader(train, { batchSize: 64, shuffle: true, seed: 42, dropLast: false });
 * const batch = new Float32Array(64 * train.dim);
 * for (const rows of loader.batches(0)) gatherRows(train, rows, batch); // rows.length × 784 values
 */
export { readLimits, type FileLimit } from './file.js';
export { makeDataset, subset, checkFinite, checkRowIndex, type Dataset } from './dataset.js';
export { readIdx, readNpy, loadNpy, writeNpy, readCsv, writeCsv } from './files.js';
export { parseIdx, parseIdxHeader, type IdxArray, type IdxData, type IdxHeader } from './idx.js';
export { loadMnist, type MnistOptions } from './mnist.js';
export { parseCsv, formatCsv, formatFloat32, type CsvOptions, type CsvDataset, type CsvMatrix } from './csv.js';
export { openCsvStream, type CsvStream, type CsvStreamOptions, type CsvBatch } from './csv-stream.js';
export { parseNpy, encodeNpy, npyDataset, type NpyArray, type NpyData, type NpyDType } from './npy.js';
export {
  readImageFolder, listImageFolder, imageValues,
  type ImageFolderDataset, type ImageFolderListing, type ImageFolderOptions, type ImageSize,
} from './images.js';
export { decodeImage, imageLimits, type DecodedImage } from './image-decode.js';
export { resizePlanes } from './resize.js';
export {
  fitNormalizer, normalizerFromJSON, NORMALIZER_KINDS,
  type Normalizer, type NormalizerKind, type NormalizerJSON,
} from './normalize.js';
export { splitValidation, type Split } from './split.js';
export { BatchLoader, gatherRows, gatherLabels, type BatchLoaderOptions } from './batch-loader.js';
