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
import { WASM } from './backends/wasm/index.js';
import { createWebWasmBackend, type WebWasmOptions } from './backends/wasm/web.js';
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
export { webThreadsAvailable, type WebWasmOptions } from './backends/wasm/web.js';
export type { WasmBackend } from './backends/wasm/index.js';

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
 * Where the page, or the worker that calls this, is cross-origin isolated (COOP `same-origin` and
 * COEP `require-corp`), large matrix products run on `options.threads` threads (web workers over
 * shared memory; default: `navigator.hardwareConcurrency`); elsewhere on the calling thread alone.
 */
export function registerWasmBackend(fetchModule: (file: string) => Promise<Uint8Array>, options: WebWasmOptions = {}): void {
  registerBackend(WASM, () => createWebWasmBackend(fetchModule, options), 5);
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
