/**
 * The training worker: builds the data, model and optimizer from a run config exactly as `aekit
 * train` does (same seed → same weights on the same backend), trains with the trainer, and posts
 * events in batches. Pause blocks here with Atomics.wait on the shared control word, so the run
 * continues bit-exactly; stop aborts the trainer's signal.
 */
import * as aekit from '../../dist/src/browser.js';
import type { TrainEvent } from '../../dist/src/train/events.js';
import { PAUSED, STOPPING, type DataSource, type FromWorker, type Samples, type ToWorker } from './protocol.js';
import { pickBackend } from './backend.js';

/** Test samples handed to the page for exploring (enough for a readable scatter). */
const EXPLORE_SAMPLES = 2000;
const post = (m: FromWorker, transfer: Transferable[] = []) => self.postMessage(m, { transfer });

self.onmessage = (e: MessageEvent<ToWorker>) => {
  run(e.data).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};

async function bytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function loadData(src: DataSource, config: aekit.RunConfig, base: string): Promise<{ full: aekit.Dataset; test: aekit.Dataset | null }> {
  if (src.kind === 'images') return { full: await decodeImages(src), test: null };
  if (src.kind === 'csv') {
    const opts = src.labelColumn ? { labelColumn: src.labelColumn } : {};
    return { full: aekit.parseCsv(src.text, src.name, opts), test: null };
  }
  // The server cuts the files to the digits used: the limited training split, and the test digits explored.
  const trainLimit = config.data.limit === null ? '' : `?limit=${config.data.limit}`;
  const [ti, tl, si, sl] = await Promise.all([
    `train-images${trainLimit}`, `train-labels${trainLimit}`, `test-images?limit=${EXPLORE_SAMPLES}`, `test-labels?limit=${EXPLORE_SAMPLES}`,
  ].map((f) => bytes(new URL(`data/mnist/${f}`, base).href)));
  const idx = (b: Uint8Array | undefined, name: string) => aekit.parseIdx(b!, name);
  return {
    full: aekit.mnistFromBytes(idx(ti, 'train-images'), idx(tl, 'train-labels'), 'mnist', config.data.limit),
    test: aekit.mnistFromBytes(idx(si, 'test-images'), idx(sl, 'test-labels'), 'mnist:test'),
  };
}

/**
 * A dropped folder of images as grey samples at the first image's size, decoded by the browser
 * (createImageBitmap) and turned into values as the CLI does (aekit.imageValues: BT.601 luma,
 * area-averaged or bilinear resizing). The CLI decodes PNG and JPEG itself, so pixel values of
 * lossy or colour-managed files may differ slightly from `aekit train --data DIR`.
 */
async function decodeImages(src: Extract<DataSource, { kind: 'images' }>): Promise<aekit.Dataset> {
  let size: aekit.ImageSize | null = null;
  let x = new Float32Array(0);
  for (const [i, f] of src.files.entries()) {
    let bmp: ImageBitmap;
    try {
      bmp = await createImageBitmap(f.file, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    } catch {
      throw new Error(`${src.name}/${f.path}: not an image this browser can decode`);
    }
    const canvas = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bmp, 0, 0);
    const pixels = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    if (size === null) {
      size = { width: bmp.width, height: bmp.height };
      x = new Float32Array(src.files.length * size.width * size.height);
    }
    const dim = size.width * size.height;
    aekit.imageValues({ width: bmp.width, height: bmp.height, stride: 4, data: pixels, max: 255 }, 1, size, x.subarray(i * dim, (i + 1) * dim));
    bmp.close();
  }
  if (size === null) throw new Error(`${src.name}: no PNG or JPEG images in the folder`);
  const labels = src.classNames ? Int32Array.from(src.files, (f) => f.label ?? 0) : null;
  return aekit.makeDataset({ x, sampleShape: [1, size.height, size.width], labels, source: src.name });
}

function firstRows(ds: aekit.Dataset, n: number): Samples {
  const k = Math.min(n, ds.n);
  return { x: ds.x.slice(0, k * ds.dim), n: k, sampleShape: [...ds.sampleShape], labels: ds.labels ? ds.labels.slice(0, k) : null, source: ds.source };
}

let wasmRegistered = false;

/** The WebAssembly backend, from the modules `aekit studio` serves at /wasm/; 'auto' prefers it (one thread in a worker). */
function registerWasm(base: string): void {
  if (wasmRegistered) return;
  wasmRegistered = true;
  aekit.registerWasmBackend(async (file) => {
    const url = new URL(`wasm/${file}`, base).href;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status} ${res.statusText}`);
    return new Uint8Array(await res.arrayBuffer());
  });
}

async function run(msg: ToWorker): Promise<void> {
  const control = new Int32Array(msg.control);
  aekit.registerBuiltinModels();
  registerWasm(msg.base);
  const config = aekit.parseRunConfig(msg.config);
  const backend = await aekit.setBackend(pickBackend(config.train.backend));
  const { full, test } = await loadData(msg.data, config, msg.base);
  const data = aekit.splitData(full, test, config.data, config.train.seed);
  config.model = aekit.fitModelToData(config.model, data.sampleShape);
  const model = aekit.createModel(config.model, new aekit.Rng(config.train.seed));
  const problem = aekit.labelProblem(model, data.train.labels);
  if (problem) throw new Error(`${data.train.source}: ${problem}`);
  const optimizer = aekit.makeOptimizer(config);
  const schedule = aekit.makeSchedule(config.train, config.optimizer.lr);
  const files = () => {
    const f = aekit.modelToFiles({ model, sampleShape: data.sampleShape, normalizer: data.normalizer, run: config });
    return { config: f.config, weights: f.weights };
  };
  const samples = firstRows(data.test ?? data.val ?? data.train, EXPLORE_SAMPLES);
  post({ type: 'ready', backend: backend.name, config, samples }, [samples.x.buffer, ...(samples.labels ? [samples.labels.buffer] : [])]);

  const abort = new AbortController();
  let pending: TrainEvent[] = [];
  let lastPost = 0;
  const flush = () => {
    if (pending.length) post({ type: 'events', events: pending });
    pending = [];
    lastPost = performance.now();
  };
  const onEvent = (ev: TrainEvent) => {
    pending.push(ev);
    if (ev.type !== 'step' || performance.now() - lastPost > 100) flush();
    if (ev.type !== 'step') return;
    if (Atomics.load(control, 0) === PAUSED) {
      flush();
      post({ type: 'paused' });
      Atomics.wait(control, 0, PAUSED); // blocks this worker, never the page
    }
    if (Atomics.load(control, 0) === STOPPING && !abort.signal.aborted) abort.abort(new Error('stopped in the page'));
  };
  const result = await aekit.train({
    model, optimizer, schedule, config: config.train, train: data.train, val: data.val, onEvent, signal: abort.signal,
    batchTransform: aekit.trainingBatchTransform(config.data),
    checkpoint: (state) => {
      const f = files();
      post({ type: 'model', files: f, epoch: state.epochsDone }, [f.weights.buffer]);
      return `page:epoch-${state.epochsDone}`;
    },
  });
  flush();
  const f = files();
  post({ type: 'done', status: result.status, files: f, samplesPerSec: result.samplesPerSec }, [f.weights.buffer]);
  optimizer.dispose();
}
