/** aekit/data: datasets, readers (IDX, MNIST, CSV, NPY), normalisation, validation splits and batch loading. */
export { makeDataset, subset, checkFinite, type Dataset } from './dataset.js';
export { readIdx, parseIdx, type IdxArray, type IdxData } from './idx.js';
export { loadMnist, type MnistOptions } from './mnist.js';
export { readCsv, parseCsv, writeCsv, formatFloat32, type CsvOptions, type CsvDataset, type CsvMatrix } from './csv.js';
export { readNpy, parseNpy, writeNpy, encodeNpy, loadNpy, type NpyArray, type NpyData, type NpyDType } from './npy.js';
export {
  fitNormalizer, normalizerFromJSON, NORMALIZER_KINDS,
  type Normalizer, type NormalizerKind, type NormalizerJSON,
} from './normalize.js';
export { splitValidation, type Split } from './split.js';
export { BatchLoader, gatherRows, gatherLabels, type BatchLoaderOptions } from './batch-loader.js';
