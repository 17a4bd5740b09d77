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

interface Held { files: ModelFiles; model: aekit.Autoencoder; config: aekit.ModelDirConfig; normalizer: aekit.Normalizer | null; source: string }

const state = {
  phase: 'idle' as 'idle' | 'training' | 'paused' | 'done' | 'error',
  backend: '',
  csv: null as { name: string; text: string } | null,
  images: null as Extract<DataSource, { kind: 'images' }> | null,
  samples: null as Samples | null,
  held: null as Held | null,
  epochLosses: [] as number[],
  lastError: '',
};

await aekit.setBackend('reference');
const curves = new Curves($('chart-steps'), $('chart-epochs'));
const explorer = new Explorer();
const form = buildForm($<HTMLFormElement>('config-form'), aekit.runConfigJsonSchema() as never, () => validate());
form.set(START_CONFIG as never);
setupTabs();
validate();

/** Parse the form's config as the CLI would; draw the diagram, or show the parser's message. */
function validate(): aekit.RunConfig | null {
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
    if (name === 'explore') refreshExplore();
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
  curves.reset();
  lastStep = undefined;
  state.epochLosses = [];
  $('data-error').textContent = '';
  control = new Int32Array(new SharedArrayBuffer(4));
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<FromWorker>) => onWorker(e.data);
  worker.onerror = (e) => fail(e.message || 'the training worker failed to start');
  worker.postMessage({ type: 'start', config: raw, data, control: control.buffer });
  state.phase = 'training';
  timing = { start: performance.now(), steps: 0, batches: 0, epochs: config.train.epochs, batchSize: config.train.batchSize, trainSize: 0, epochStart: performance.now() };
  setButtons(true);
  status('loading data…');
}

function setButtons(running: boolean): void {
  $<HTMLButtonElement>('btn-train').disabled = running;
  $<HTMLButtonElement>('btn-pause').disabled = !running;
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
      onEvents(m.events);
      break;
    case 'paused':
      state.phase = 'paused';
      status('paused');
      break;
    case 'model':
      hold(m.files, 'trained in the page', false);
      break;
    case 'done':
      state.phase = 'done';
      setButtons(false);
      if (m.files) hold(m.files, 'trained in the page', true);
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
  dl.replaceChildren(...rows.flatMap(([k, v]) => [Object.assign(document.createElement('dt'), { textContent: k }), Object.assign(document.createElement('dd'), { textContent: v, id: `p-${k.replace(/\W/g, '')}` })]));
}

// ---- Data: CSV by drag-and-drop or picker ----

const trainPage = $('page-train');
trainPage.addEventListener('dragover', (e) => e.preventDefault());
trainPage.addEventListener('drop', (e) => {
  e.preventDefault();
  const entry = e.dataTransfer?.items[0]?.webkitGetAsEntry();
  if (entry?.isDirectory) {
    void takeImageFolder(entry as FileSystemDirectoryEntry).catch((err: Error) => ($('data-error').textContent = err.message));
    return;
  }
  const f = e.dataTransfer?.files[0];
  if (f) void takeCsv(f);
});

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
    else if (/\.(png|jpe?g)$/i.test(en.name)) out.push({ file: await new Promise<File>((ok, fail) => (en as FileSystemFileEntry).file(ok, fail)), path });
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
  const found = list.filter((f) => /\.(png|jpe?g)$/i.test(f.name)).map((file) => ({ file, path: file.webkitRelativePath.slice(root.length + 1) }));
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
    validate();
  } catch (err) {
    $('data-error').textContent = (err as Error).message;
  }
}

// ---- The model the page holds ----

function hold(files: ModelFiles, source: string, final: boolean): void {
  try {
    const { model, config, normalizer } = aekit.modelFromFiles(files.config, files.weights, source);
    state.held?.model.dispose?.();
    state.held = { files, model, config, normalizer, source };
    $('model-info').textContent = `${model.kind} model (${model.numParameters().toLocaleString('en-US')} parameters, input [${config.data.sampleShape.join('×')}], code ${model.config.latentDim}) — ${source}${final ? '' : ' (latest epoch)'}`;
    $<HTMLButtonElement>('btn-dl-config').disabled = false;
    $<HTMLButtonElement>('btn-dl-weights').disabled = false;
    if (state.samples && state.samples.x.length / state.samples.n === model.config.inputDim) explorer.use(model, state.samples);
    if (!$('page-explore').hidden) refreshExplore();
  } catch (err) {
    $('model-error').textContent = (err as Error).message;
  }
}

function refreshExplore(): void {
  const h = state.held;
  if (!h || !state.samples) return;
  if (state.samples.x.length / state.samples.n !== h.model.config.inputDim) return;
  explorer.show(h.model, state.samples);
}

function download(name: string, body: string | Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([body as BlobPart], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
$('btn-dl-config').addEventListener('click', () => state.held && download('config.json', state.held.files.config, 'application/json'));
$('btn-dl-weights').addEventListener('click', () => state.held && download('model.safetensors', state.held.files.weights, 'application/octet-stream'));

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
  const run = opened.config.run as Record<string, Record<string, unknown>> | undefined;
  if (run) form.set(run);
  validate();
  state.samples = await samplesFor(opened.config, opened.normalizer);
  hold({ config: configText, weights }, source, true);
  status(`opened ${source}`);
}

/** Test samples for a model opened from files: MNIST's test digits for an MNIST model, else the CSV the page holds. */
async function samplesFor(config: aekit.ModelDirConfig, normalizer: aekit.Normalizer | null): Promise<Samples | null> {
  const run = config.run as { data?: { dataset?: string; binarize?: string } } | undefined;
  const shape = config.data.sampleShape;
  let ds: aekit.Dataset | null = null;
  if (run?.data?.dataset === 'mnist' || (run === undefined && shape.join() === '1,28,28')) {
    const get = async (f: string) => aekit.parseIdx(new Uint8Array(await (await fetch(`/data/mnist/${f}?limit=${EXPLORE_SAMPLES}`)).arrayBuffer()), f);
    ds = aekit.mnistFromBytes(await get('test-images'), await get('test-labels'), 'mnist:test', EXPLORE_SAMPLES);
    if (run?.data?.binarize === 'stochastic' || run?.data?.binarize === 'dynamic') aekit.binarize(ds, 'test');
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

/** Read-only handles for the Chromium tests and for curious users in the console. */
Object.assign(globalThis, {
  studio: {
    get phase() { return state.phase; },
    get backend() { return state.backend; },
    get epochLosses() { return [...state.epochLosses]; },
    get curvePoints() { return curves.counts; },
    get lastError() { return state.lastError; },
    reconstructions: (n: number) => explorer.reconstructions(n).map((r) => Array.from(r)),
  },
});
