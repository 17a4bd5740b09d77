/**
 * aekit for browsers (and any JavaScript runtime without Node's built-ins): the engine, the
 * reference backend, layers, models, the pure file-format parsers and the trainer. Bundlers pick
 * this entry through the `browser` condition of `exports` in package.json; Node gets index.ts,
 * which adds the native backend and the file-system readers and writers.
 *
 *   import * as aekit from 'aekit';           // in a bundler targeting the browser
 *   await aekit.setBackend('auto');
 *
 * Nothing here may import a `node:` module or use a Node global; test/browser-bundle.test.ts bundles
 * this file with Vite and runs the bundle in a context that has no Node globals.
 */
import { registerReferenceBackend } from './backends/reference/index.js';
import { createWasmBackend, relaxedSimdSupported, WASM, wasmFileName } from './backends/wasm/index.js';
import { registerBackend, setBackend as coreSetBackend, type Backend } from './core/index.js';
import { registerBuiltinModels } from './models/index.js';

export * from './core/index.js';
export * from './nn/index.js';
export * from './models/index.js';

// Data: parsers from bytes or text, datasets, normalisers, batching.
export { makeDataset, subset, checkFinite, type Dataset } from './data/dataset.js';
export { parseIdx, parseIdxHeader, type IdxArray, type IdxData, type IdxHeader } from './data/idx.js';
export { parseCsv, formatCsv, formatFloat32, type CsvOptions, type CsvDataset, type CsvMatrix } from './data/csv.js';
export { parseNpy, encodeNpy, npyDataset, type NpyArray, type NpyData, type NpyDType } from './data/npy.js';
export { fitNormalizer, normalizerFromJSON, NORMALIZER_KINDS, type Normalizer, type NormalizerKind, type NormalizerJSON } from './data/normalize.js';
export { splitValidation, type Split } from './data/split.js';
export { BatchLoader, gatherRows, gatherLabels, type BatchLoaderOptions } from './data/batch-loader.js';
export { resizePlanes } from './data/resize.js';
export { imageValues, type ImageSize, type Pixels } from './data/pixels.js';

// Files as bytes: safetensors and the model format (config.json + model.safetensors).
export * from './io/safetensors.js';
export * from './io/model-format.js';

// Training.
export * from './train/config.js';
export * from './train/trainer.js';
export * from './train/evaluate.js';
export * from './train/schedule.js';
export { splitData, binarize, trainingBatchTransform, mnistFromBytes, type PreparedData } from './train/data-prep.js';

let registered = false;

/**
 * Make the WebAssembly backend available to `setBackend` ('auto' then prefers it to the reference
 * backend). `fetchModule(file)` returns the bytes of a module built by `npm run build:wasm`
 * (`build/wasm/FILE` in the package; serve them with the page), e.g.
 * `(file) => fetch('/aekit-wasm/' + file).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b))`.
 * In a page the backend runs on one thread (worker threads in browsers are not wired yet).
 */
export function registerWasmBackend(fetchModule: (file: string) => Promise<Uint8Array>): void {
  registerBackend(WASM, async () => {
    const isa = relaxedSimdSupported() ? 'relaxed' : 'simd128';
    const bytes = await fetchModule(wasmFileName(isa, false));
    return createWasmBackend({ bytes: () => bytes, isa, threads: 1, shared: false });
  }, 5);
}

/** Select a backend ('auto', 'wasm' once registered, or 'reference'); registers the ones a browser has first. */
export async function setBackend(name: string = 'auto'): Promise<Backend> {
  if (!registered) {
    registered = true;
    registerReferenceBackend();
    registerBuiltinModels();
  }
  return coreSetBackend(name);
}
