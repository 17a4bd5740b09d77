// Why this file is over 500 lines: it is the studio page's wiring (DOM lookups, event handlers
// and the state they share: the worker, the held model, the served-run client); splitting it would
// only pass that state between modules. Everything with logic of its own lives beside it:
// charts.ts, diagram.ts, explore.ts, form.ts, lens.ts, server.ts, protocol.ts.
/**
 * aekit studio, the page: tabs (Design, Train, Explore, Files), the run-config form and diagram,
 * the training worker's controls and curves, and the model the page holds (trained here or
 * opened from a CLI run) as the two files of a model directory.
 */
import * as aekit from '../../dist/src/browser.js';
import type { TrainEvent } from '../../dist/src/train/events.js';
import { Curves } from './charts.js';
import { drawDiagram } from './diagram.js';
import { Explorer } from './explore.js';
import { buildForm } from './form.js';
import { LocalLens, ServerLens, type Lens, type ServedInfo } from './lens.js';
import { ServerClient } from './server.js';
import { PAUSED, RUNNING, STOPPING, type DataSource, type FromWorker, type ModelFiles, type Samples } from './protocol.js';
import './style.css';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const TABS = ['design', 'train', 'explore', 'files'] as const;
/** Explore shows at most this many test samples. */
const EXPLORE_SAMPLES = 2000;

/** What a fresh page proposes: small enough to train in seconds on the reference backend. */
const START_CONFIG = {
  model: { kind: 'dense', hidden: [128], latentDim: 2 },
  optimizer: { lr: 0.002 },
  train: { epochs: 5, batchSize: 100, backend: 'auto' },
  data: {},
};

/**
 * The model the page holds: its files (trained here or opened; null for a model the server holds)
 * and the lens the explorer uses, built from the files only when needed, so the per-epoch models
 * arriving while training cost the page nothing.
 */
interface Held { files: ModelFiles | null; lens: Lens | null; local: aekit.Autoencoder | null; source: string }

const state = {
  phase: 'idle' as 'idle' | 'training' | 'paused' | 'done' | 'error',
  backend: '',
  csv: null as { name: string; text: string } | null,
  images: null as Extract<DataSource, { kind: 'images' }> | null,
  samples: null as Samples | null,
  held: null as Held | null,
  epochLosses: [] as number[],
  lastError: '',
  samplesPerSec: 0,
  /** The run training on `aekit serve`, when the page started one there. */
  serverRun: null as { id: string; abort: AbortController } | null,
  /** How the last run on the server ended: its id and run.json's status. */
  lastServerRun: null as { id: string; status: string | null; served: boolean } | null,
};

/** The last form checked: Train reuses its answer, so the click that starts a run builds no model on the page. */
let checked = { key: '', config: null as aekit.RunConfig | null };

await aekit.setBackend('reference');
const curves = new Curves($('chart-steps'), $('chart-epochs'));
const explorer = new Explorer();
const form = buildForm($<HTMLFormElement>('config-form'), aekit.runConfigJsonSchema() as never, () => validate());
form.set(START_CONFIG as never);
setupTabs();
validate();

/** Parse the form's config as the CLI would; draw the diagram, or show the parser's message. */
function validate(): aekit.RunConfig | null {
  const key = `${JSON.stringify(form.value())}|${state.csv?.name ?? ''}|${csvLabel() ?? ''}`;
  if (key === checked.key) return checked.config;
  checked = { key, config: check() };
  return checked.config;
}

function check(): aekit.RunConfig | null {
  try {
    const config = aekit.parseRunConfig(form.value());
    const shape = sampleShape();
    config.model = aekit.fitModelToData(config.model, shape);
    const model = aekit.createModel(config.model, new aekit.Rng(config.train.seed));
    drawDiagram($('diagram'), model.summary(), config.model.inputDim, config.model.latentDim,
      `${model.kind}: ${model.numParameters().toLocaleString('en-US')} parameters, ${model.latentKind} latent, input shape [${shape.join('×')}]`);
    form.showError(null);
    return config;
  } catch (err) {
    form.showError((err as Error).message);
    return null;
  }
}

function sampleShape(): number[] {
  if (state.csv) {
    try {
      return [...aekit.parseCsv(state.csv.text, state.csv.name, csvOptions()).sampleShape];
    } catch {
      return [1];
    }
  }
  return [1, 28, 28];
}

function csvLabel(): string | null {
  return $<HTMLInputElement>('csv-label').value.trim() || null;
}

function csvOptions(): aekit.CsvOptions {
  const label = csvLabel();
  return label ? { labelColumn: label } : {};
}

function setupTabs(): void {
  const show = (name: string) => {
    for (const t of TABS) {
      const on = t === name;
      $(`tab-${t}`).setAttribute('aria-selected', String(on));
      $(`tab-${t}`).tabIndex = on ? 0 : -1;
      $(`page-${t}`).hidden = !on;
    }
    if (name === 'explore') void refreshExplore();
  };
  TABS.forEach((t, i) => {
    const tab = $(`tab-${t}`);
    tab.addEventListener('click', () => show(t));
    tab.addEventListener('keydown', (e) => {
      const to = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : -1;
      if (to < 0) return;
      show(TABS[to]!);
      $(`tab-${TABS[to]!}`).focus();
    });
  });
  show('design');
}

function status(text: string): void {
  $('status').textContent = text;
}

// ---- Training ----

let worker: Worker | null = null;
let control: Int32Array | null = null;
let timing = { start: 0, steps: 0, batches: 0, epochs: 0, batchSize: 0, trainSize: 0, epochStart: 0 };

$('btn-train').addEventListener('click', () => startTraining());
$('btn-pause').addEventListener('click', () => {
  if (!control) return;
  if (state.phase === 'paused') {
    Atomics.store(control, 0, RUNNING);
    Atomics.notify(control, 0);
    state.phase = 'training';
    $('btn-pause').textContent = 'Pause';
    status('training');
  } else {
    Atomics.store(control, 0, PAUSED);
    $('btn-pause').textContent = 'Resume';
  }
});
$('btn-stop').addEventListener('click', () => {
  if (state.serverRun) {
    void stopServerRun();
    return;
  }
  if (!control) return;
  Atomics.store(control, 0, STOPPING);
  Atomics.notify(control, 0);
  status('stopping…');
});

function startTraining(): void {
  const config = validate();
  if (!config) {
    $('data-error').textContent = `the configuration is invalid: ${$('form-error').textContent} (fix it on the Design page)`;
    return;
  }
  const useImages = $<HTMLInputElement>('data-images-radio').checked && state.images !== null;
  const useCsv = !useImages && $<HTMLInputElement>('data-csv-radio').checked && state.csv !== null;
  const raw = form.value();
  const limit = Number($<HTMLInputElement>('mnist-limit').value);
  raw.data = { ...raw.data, dataset: useImages ? state.images!.name : useCsv ? state.csv!.name : 'mnist', limit: useCsv || useImages ? null : limit };
  if (useCsv) raw.data.labelColumn = csvLabel();
  const data: DataSource = useImages ? state.images! : useCsv ? { kind: 'csv', name: state.csv!.name, text: state.csv!.text, labelColumn: csvLabel() } : { kind: 'mnist' };
  if (typeof SharedArrayBuffer === 'undefined' || !crossOriginIsolated) {
    $('data-error').textContent = 'this page is not cross-origin isolated, so pause cannot work; open it through `aekit studio`';
    return;
  }
  worker?.terminate();
  resetCurves();
  control = new Int32Array(new SharedArrayBuffer(4));
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<FromWorker>) => onWorker(e.data);
  worker.onerror = (e) => fail(e.message || 'the training worker failed to start');
  worker.postMessage({ type: 'start', config: raw, data, control: control.buffer, base: new URL('./', location.href).href });
  state.phase = 'training';
  timing = { start: performance.now(), steps: 0, batches: 0, epochs: config.train.epochs, batchSize: config.train.batchSize, trainSize: 0, epochStart: performance.now() };
  setButtons(true);
  status('loading data…');
}

function resetCurves(): void {
  curves.reset();
  lastStep = undefined;
  queued = [];
  timing.steps = 0;
  state.epochLosses = [];
  $('data-error').textContent = '';
}

function setButtons(running: boolean, canPause = true): void {
  $<HTMLButtonElement>('btn-train').disabled = running;
  $<HTMLButtonElement>('btn-train-server').disabled = running;
  $<HTMLButtonElement>('btn-pause').disabled = !running || !canPause;
  $<HTMLButtonElement>('btn-stop').disabled = !running;
  $('btn-pause').textContent = 'Pause';
}

function fail(message: string): void {
  state.phase = 'error';
  state.lastError = message;
  $('data-error').textContent = message;
  setButtons(false);
  status('error');
  worker?.terminate();
  worker = null;
}

function onWorker(m: FromWorker): void {
  switch (m.type) {
    case 'ready':
      state.backend = m.backend;
      state.samples = m.samples;
      status(`training on the ${m.backend} backend`);
      break;
    case 'events':
      queueEvents(m.events);
      break;
    case 'paused':
      state.phase = 'paused';
      status('paused');
      break;
    case 'model':
      hold(m.files, 'trained in the page', false);
      break;
    case 'done':
      flushEvents();
      state.phase = 'done';
      setButtons(false);
      if (m.files) hold(m.files, 'trained in the page', true);
      state.samplesPerSec = m.samplesPerSec;
      status(`${m.status}: ${Math.round(m.samplesPerSec)} samples/s on ${state.backend}`);
      worker?.terminate();
      worker = null;
      break;
    case 'error':
      fail(m.message);
      break;
  }
}

let lastStep: TrainEvent | undefined;
let queued: TrainEvent[] = [];
let frame = 0;

/** Events are drawn once per animation frame, however often they arrive: the page's work while training stays a few ms a frame. */
function queueEvents(events: readonly TrainEvent[]): void {
  queued.push(...events);
  if (frame === 0) frame = requestAnimationFrame(flushEvents);
}

function flushEvents(): void {
  if (frame !== 0) cancelAnimationFrame(frame);
  frame = 0;
  if (queued.length === 0) return;
  const events = queued;
  queued = [];
  onEvents(events);
}

function onEvents(events: readonly TrainEvent[]): void {
  curves.add(events);
  for (const e of events) {
    if (e.type === 'run_start') Object.assign(timing, { trainSize: e.trainSize, batches: e.stepsPerEpoch * e.epochs, start: performance.now() });
    if (e.type === 'step') timing.steps++;
    if (e.type === 'epoch_end') state.epochLosses.push(e.trainLoss);
  }
  const last = [...events].reverse().find((e) => e.type === 'step') ?? lastStep;
  lastStep = last;
  const secs = (performance.now() - timing.start) / 1000;
  const rate = (timing.steps * timing.batchSize) / Math.max(secs, 1e-3);
  const left = timing.batches > 0 ? ((timing.batches - timing.steps) * timing.batchSize) / Math.max(rate, 1e-9) : NaN;
  const rows: [string, string][] = [
    ['epoch', last && last.type === 'step' ? `${last.epoch + 1} of ${timing.epochs}` : '–'],
    ['step', `${timing.steps} of ${timing.batches}`],
    ['loss', last && last.type === 'step' ? last.loss.toFixed(4) : '–'],
    ['samples/s', Math.round(rate).toLocaleString('en-US')],
    ['ETA', Number.isFinite(left) ? `${Math.max(0, left).toFixed(0)} s` : '–'],
  ];
  const dl = $('progress');
  if (dl.children.length !== rows.length * 2) {
    dl.replaceChildren(...rows.flatMap(([k]) => [Object.assign(document.createElement('dt'), { textContent: k }), Object.assign(document.createElement('dd'), { id: `p-${k.replace(/\W/g, '')}` })]));
  }
  rows.forEach(([, v], i) => {
    const dd = dl.children[2 * i + 1]!;
    if (dd.textContent !== v) dd.textContent = v;
  });
}

// ---- Data: CSV by drag-and-drop or picker ----

const trainPage = $('page-train');
trainPage.addEventListener('dragover', (e) => e.preventDefault());
trainPage.addEventListener('drop', (e) => {
  e.preventDefault();
  if (!e.dataTransfer) return;
  // Read the DataTransfer now: it is emptied when the handler returns.
  const entries = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry()).filter((en): en is FileSystemEntry => en !== null);
  const files = [...e.dataTransfer.files];
  void takeDrop(entries, files).catch((err: Error) => ($('data-error').textContent = err.message));
});

/** A dropped folder of images, loose image files (one unlabelled set), or a CSV file. */
async function takeDrop(entries: FileSystemEntry[], files: File[]): Promise<void> {
  const dir = entries.find((en) => en.isDirectory);
  if (dir) return takeImageFolder(dir as FileSystemDirectoryEntry);
  const images = files.filter((f) => IMAGE.test(f.name));
  if (images.length > 0 && images.length === files.length) {
    return takeImages('dropped images', images.map((file) => ({ file, path: file.name })).sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)));
  }
  if (files[0]) await takeCsv(files[0]);
}

const IMAGE = /\.(png|jpe?g)$/i;

/** Every PNG/JPEG under a dropped folder, with its path; sorted by path as the CLI reads them. */
async function imagesUnder(dir: FileSystemDirectoryEntry, prefix = ''): Promise<{ file: File; path: string }[]> {
  const entries: FileSystemEntry[] = [];
  const reader = dir.createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) break;
    entries.push(...batch);
  }
  const out: { file: File; path: string }[] = [];
  for (const en of entries) {
    const path = prefix + en.name;
    if (en.isDirectory) out.push(...(await imagesUnder(en as FileSystemDirectoryEntry, `${path}/`)));
    else if (IMAGE.test(en.name)) out.push({ file: await new Promise<File>((ok, fail) => (en as FileSystemFileEntry).file(ok, fail)), path });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A folder of images: classes from its subfolders (sorted names give labels 0…K-1), as the CLI reads one. */
async function takeImageFolder(dir: FileSystemDirectoryEntry): Promise<void> {
  takeImages(dir.name, await imagesUnder(dir));
}

$<HTMLInputElement>('images-dir').addEventListener('change', (e) => {
  const list = [...((e.target as HTMLInputElement).files ?? [])];
  const root = list[0]?.webkitRelativePath.split('/')[0] ?? 'images';
  const found = list.filter((f) => IMAGE.test(f.name)).map((file) => ({ file, path: file.webkitRelativePath.slice(root.length + 1) }));
  try {
    takeImages(root, found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
  } catch (err) {
    $('data-error').textContent = (err as Error).message;
  }
});

function takeImages(name: string, found: { file: File; path: string }[]): void {
  const dir = { name };
  if (found.length === 0) throw new Error(`${dir.name}: no PNG or JPEG images in the folder`);
  const classOf = (p: string) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : null);
  const names = [...new Set(found.map((f) => classOf(f.path)).filter((c): c is string => c !== null))].sort();
  const classNames = names.length > 0 ? names : null;
  const files = found.map((f) => ({ ...f, label: classNames ? classNames.indexOf(classOf(f.path) ?? '') : null }));
  state.images = { kind: 'images', name: dir.name, files, classNames };
  $<HTMLInputElement>('data-images-radio').disabled = false;
  $<HTMLInputElement>('data-images-radio').checked = true;
  $('images-name').textContent = `images: ${dir.name} (${files.length} files${classNames ? `, ${classNames.length} classes` : ''})`;
  $('data-error').textContent = '';
}
$<HTMLInputElement>('csv-file').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) void takeCsv(f);
});

async function takeCsv(file: File): Promise<void> {
  const text = await file.text();
  try {
    const ds = aekit.parseCsv(text, file.name, csvOptions());
    aekit.checkFinite(ds);
    state.csv = { name: file.name, text };
    $<HTMLInputElement>('data-csv-radio').disabled = false;
    $<HTMLInputElement>('data-csv-radio').checked = true;
    $('csv-name').textContent = `CSV: ${file.name} (${ds.n} rows × ${ds.dim} features${ds.labels ? ', labelled' : ''})`;
    $('data-error').textContent = '';
    checked.key = '';
    validate();
  } catch (err) {
    $('data-error').textContent = (err as Error).message;
  }
}

// ---- The model the page holds ----

/**
 * Hold the page's model as its files; they are parsed only when explored, so a model arriving
 * while (or as) training ends costs the page nothing. `final`: the run's last model.
 */
function hold(files: ModelFiles, source: string, final: boolean): void {
  release();
  state.held = { files, lens: null, local: null, source };
  $<HTMLButtonElement>('btn-dl-config').disabled = false;
  $<HTMLButtonElement>('btn-dl-weights').disabled = false;
  try {
    const c = JSON.parse(files.config) as { model: { kind: string; latentDim: number }; data: { sampleShape: number[] } };
    $('model-info').textContent = `${c.model.kind} model (input [${c.data.sampleShape.join('×')}], code ${c.model.latentDim}) — ${source}${final ? '' : ' (latest epoch, training)'}`;
  } catch {
    $('model-info').textContent = source;
  }
  if (final && !$('page-explore').hidden) void refreshExplore();
}

function release(): void {
  state.held?.local?.dispose?.();
}

/** The held model's lens, parsing its files the first time. */
function heldLens(): Lens | null {
  const h = state.held;
  if (!h) return null;
  if (h.lens === null && h.files !== null) {
    try {
      const { model, config } = aekit.modelFromFiles(h.files.config, h.files.weights, h.source);
      h.local = model;
      h.lens = new LocalLens(model, config.data.sampleShape);
    } catch (err) {
      $('model-error').textContent = (err as Error).message;
      return null;
    }
  }
  return h.lens;
}

async function refreshExplore(): Promise<void> {
  const lens = heldLens();
  if (!lens || !state.samples) return;
  if (state.samples.x.length / state.samples.n !== lens.inputDim) return;
  try {
    await explorer.show(lens, state.samples);
  } catch (err) {
    $('model-error').textContent = (err as Error).message;
  }
}

function download(name: string, body: string | Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([body as BlobPart], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
$('btn-dl-config').addEventListener('click', () => state.held?.files && download('config.json', state.held.files.config, 'application/json'));
$('btn-dl-weights').addEventListener('click', () => state.held?.files && download('model.safetensors', state.held.files.weights, 'application/octet-stream'));

/** Open config.json + model.safetensors (from files the user gave, or a run `aekit studio` serves). */
async function openModel(configText: string, weights: Uint8Array, source: string): Promise<void> {
  $('model-error').textContent = '';
  let opened: ReturnType<typeof aekit.modelFromFiles>;
  try {
    opened = aekit.modelFromFiles(configText, weights, source);
  } catch (err) {
    $('model-error').textContent = (err as Error).message;
    return;
  }
  opened.model.dispose?.();
  const runConfig = opened.config.run as Record<string, Record<string, unknown>> | undefined;
  if (runConfig) form.set(runConfig);
  validate();
  const run = opened.config.run as { data?: { dataset?: string; binarize?: string } } | undefined;
  state.samples = await samplesFor(opened.config.data.sampleShape, run?.data ?? (run === undefined ? undefined : {}), opened.normalizer);
  hold({ config: configText, weights }, source, true);
  status(`opened ${source}`);
}

/**
 * Test samples for a model opened from files or on a server: MNIST's test digits for an MNIST
 * model (`data`: its run's data settings, undefined when unknown), else the CSV the page holds;
 * normalised by `normalizer` when the page runs the model itself.
 */
async function samplesFor(shape: readonly number[], data: { dataset?: string; binarize?: string } | undefined, normalizer: aekit.Normalizer | null): Promise<Samples | null> {
  let ds: aekit.Dataset | null = null;
  if (data?.dataset === 'mnist' || (data === undefined && shape.join() === '1,28,28')) {
    const get = async (f: string) => aekit.parseIdx(new Uint8Array(await (await fetch(`./data/mnist/${f}?limit=${EXPLORE_SAMPLES}`)).arrayBuffer()), f);
    ds = aekit.mnistFromBytes(await get('test-images'), await get('test-labels'), 'mnist:test', EXPLORE_SAMPLES);
    if (data?.binarize === 'stochastic' || data?.binarize === 'dynamic') aekit.binarize(ds, 'test');
  } else if (state.csv) {
    ds = aekit.parseCsv(state.csv.text, state.csv.name, csvOptions());
  }
  if (!ds) return null;
  normalizer?.apply(ds);
  const n = Math.min(ds.n, EXPLORE_SAMPLES);
  return { x: ds.x.slice(0, n * ds.dim), n, sampleShape: [...shape], labels: ds.labels ? ds.labels.slice(0, n) : null, source: ds.source };
}

async function openFileList(files: FileList | File[]): Promise<void> {
  const list = [...files];
  const cfg = list.find((f) => f.name.endsWith('.json'));
  const w = list.find((f) => f.name.endsWith('.safetensors'));
  if (!cfg || !w) {
    $('model-error').textContent = `give both config.json and model.safetensors (got ${list.map((f) => f.name).join(', ') || 'nothing'})`;
    return;
  }
  await openModel(await cfg.text(), new Uint8Array(await w.arrayBuffer()), `${cfg.name} + ${w.name}`);
}

const drop = $('drop-model');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  if (e.dataTransfer) void openFileList(e.dataTransfer.files);
});
drop.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') $('model-files').click();
});
$<HTMLInputElement>('model-files').addEventListener('change', (e) => {
  const f = (e.target as HTMLInputElement).files;
  if (f) void openFileList(f);
});

/** The run directories `aekit studio RUN_DIR…` serves, each a button that opens it. */
async function listServedRuns(): Promise<void> {
  const r = await fetch('./runs.json');
  if (!r.ok) return;
  const runs = (await r.json()) as { id: number; name: string; status: string; note: string | null }[];
  $('served-runs').replaceChildren(...runs.map((run) => {
    const li = document.createElement('li');
    const b = Object.assign(document.createElement('button'), { textContent: `Open ${run.name} (${run.status})`, id: `open-run-${run.id}` });
    b.addEventListener('click', async () => {
      const [c, w] = await Promise.all([fetch(`./runs/${run.id}/config.json`), fetch(`./runs/${run.id}/model.safetensors`)]);
      await openModel(await c.text(), new Uint8Array(await w.arrayBuffer()), run.name);
    });
    li.append(b);
    if (run.note) li.append(` ${run.note}`);
    return li;
  }));
}
void listServedRuns();

// ---- aekit serve: when it serves this page, its models and training runs ----

const server = {
  client: new ServerClient(new URL('../', location.href)),
  /** 'no': a plain `aekit studio`; 'token': served by `aekit serve`, which wants a token; 'yes': connected. */
  mode: 'no' as 'no' | 'token' | 'yes',
  training: false,
};

async function connectServer(): Promise<void> {
  server.mode = await server.client.probe();
  $('server-box').hidden = server.mode === 'no';
  $('server-note').textContent = server.mode === 'token' ? 'this server needs its bearer token (aekit serve --token)' : server.mode === 'yes' ? 'connected to aekit serve' : '';
  if (server.mode !== 'yes') return;
  try {
    await server.client.json('/v1/runs');
    server.training = true;
  } catch {
    server.training = false; // aekit serve without --runs-dir
  }
  $('btn-train-server').hidden = !server.training;
  await listServerModels();
}

$('btn-server-connect').addEventListener('click', () => {
  server.client.token = $<HTMLInputElement>('server-token').value.trim();
  void connectServer();
});

/** The models the server holds, each a button that opens it in Explore (run on the server). */
async function listServerModels(): Promise<void> {
  const { models } = (await server.client.json('/v1/models')) as { models: ServedInfo[] };
  $('server-models').replaceChildren(...models.map((m) => {
    const li = document.createElement('li');
    const b = Object.assign(document.createElement('button'), { textContent: `Open ${m.name} (${m.kind}, code ${m.latentDim}) on the server`, id: `open-served-${m.name}` });
    b.addEventListener('click', () => void openServed(m.name));
    li.append(b);
    return li;
  }));
}

async function openServed(name: string): Promise<void> {
  $('model-error').textContent = '';
  try {
    const info = (await server.client.json(`/v1/models/${encodeURIComponent(name)}`)) as ServedInfo & { config: unknown };
    const samples = await samplesFor(info.inputShape, undefined, null); // the server normalises: raw samples
    if (!samples) throw new Error(`${name}: no test samples for input shape [${info.inputShape.join('×')}] (drop a CSV on the Train page first)`);
    release();
    state.samples = samples;
    state.held = { files: null, lens: new ServerLens(server.client, info), local: null, source: `${name} on the server` };
    $<HTMLButtonElement>('btn-dl-config').disabled = true;
    $<HTMLButtonElement>('btn-dl-weights').disabled = true;
    $('model-info').textContent = `${info.kind} model, input [${info.inputShape.join('×')}], code ${info.latentDim} — ${name}, run by aekit serve`;
    status(`opened ${name} on the server`);
    if (!$('page-explore').hidden) await refreshExplore();
  } catch (err) {
    $('model-error').textContent = `${name}: ${(err as Error).message}`;
  }
}

$('btn-train-server').addEventListener('click', () => void trainOnServer());

/** POST /v1/runs with the form's config on MNIST, curves from the run's event stream; the finished run opens in Explore. */
async function trainOnServer(): Promise<void> {
  const config = validate();
  if (!config) {
    $('data-error').textContent = `the configuration is invalid: ${$('form-error').textContent} (fix it on the Design page)`;
    return;
  }
  if (!$<HTMLInputElement>('data-mnist-radio').checked) {
    $('data-error').textContent = 'the server trains on its bundled MNIST only: a CSV or an image folder stays in this page (use Train)';
    return;
  }
  const raw = form.value();
  raw.data = { ...raw.data, dataset: 'mnist', limit: Number($<HTMLInputElement>('mnist-limit').value) };
  resetCurves();
  let id: string;
  try {
    ({ id } = (await server.client.json('/v1/runs', { config: raw })) as { id: string });
  } catch (err) {
    $('data-error').textContent = `the server refused the run: ${(err as Error).message}`;
    return;
  }
  const abort = new AbortController();
  state.serverRun = { id, abort };
  state.phase = 'training';
  timing = { start: performance.now(), steps: 0, batches: 0, epochs: config.train.epochs, batchSize: config.train.batchSize, trainSize: 0, epochStart: performance.now() };
  setButtons(true, false);
  status(`training on the server: run ${id}`);
  type RunEnd = { status: string | null; served: boolean; epochsDone: number | null; dir: string };
  const ended: { info: RunEnd | null } = { info: null };
  try {
    await server.client.events(`/v1/runs/${encodeURIComponent(id)}/events`, (event, data) => {
      if (event === 'end') ended.info = JSON.parse(data) as RunEnd;
      else {
        try {
          const ev = JSON.parse(data) as TrainEvent;
          if (ev.type === 'run_start') state.backend = `${ev.backend} (server)`;
          queueEvents([ev]);
        } catch {
          // a torn line: the next ones carry on
        }
      }
    }, abort.signal);
  } catch (err) {
    if (!abort.signal.aborted) fail(`the server's event stream failed: ${(err as Error).message}`);
  }
  flushEvents();
  state.serverRun = null;
  setButtons(false);
  if ((state.phase as string) === 'error') return;
  const e = ended.info;
  state.lastServerRun = { id, status: e?.status ?? null, served: e?.served ?? false };
  status(e === null ? `run ${id}: the event stream ended` : `run ${id} on the server: ${e.status ?? 'no status'}${e.epochsDone !== null ? ` after ${e.epochsDone} epoch${e.epochsDone === 1 ? '' : 's'}` : ''}${e.served ? `; served as ${id}` : ''}`);
  await listServerModels();
  if (e?.served) await openServed(id);
  state.phase = 'done';
}

/** Stop a run on the server: DELETE ends it at its last epoch-end checkpoint. */
async function stopServerRun(): Promise<void> {
  const run = state.serverRun;
  if (!run) return;
  status('stopping the run on the server…');
  try {
    await server.client.fetch(`/v1/runs/${encodeURIComponent(run.id)}`, { method: 'DELETE' });
  } catch (err) {
    $('data-error').textContent = `the server could not stop run ${run.id}: ${(err as Error).message}`;
  }
}

void connectServer();

/** Read-only handles for the Chromium tests and for curious users in the console. */
Object.assign(globalThis, {
  studio: {
    get phase() { return state.phase; },
    get backend() { return state.backend; },
    get epochLosses() { return [...state.epochLosses]; },
    get curvePoints() { return curves.counts; },
    get lastError() { return state.lastError; },
    /** The trainer's samples/s of the last run in the page. */
    get samplesPerSec() { return state.samplesPerSec; },
    /** Put a run config in the form (bench/studio.ts sets Model A's preset this way). */
    setConfig: (config: Record<string, Record<string, unknown>>) => {
      form.set(config as never);
      return validate() !== null;
    },
    get server() { return server.mode; },
    get serverRun() { return state.serverRun?.id ?? null; },
    get lastServerRun() { return state.lastServerRun; },
    reconstructions: async (n: number) => {
      const lens = heldLens();
      if (!lens || !state.samples) throw new Error('no model or samples held');
      explorer.use(lens, state.samples);
      return (await explorer.reconstructions(n)).map((r) => Array.from(r));
    },
  },
});
