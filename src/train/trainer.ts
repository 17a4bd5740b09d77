/**
 * The trainer: epochs of seeded mini-batches, validation, early stopping, schedules, checkpoints
 * and exact resume. It is variant-agnostic: it minimises whatever `model.forward` calls the loss.
 * The batch order and training noise of epoch e are pure functions of (seed, e), so a run resumed
 * from the checkpoint after epoch e replays epoch e+1 exactly as an uninterrupted run would.
 */
import { backward, empty, getBackend, noGrad, Rng, tidy, type Tensor } from '../core/index.js';
import { BatchLoader, gatherLabels, gatherRows } from '../data/batch-loader.js';
import { checkRowIndex, type Dataset } from '../data/dataset.js';
import type { Autoencoder, Labels } from '../models/index.js';
import { clipGradNorm } from '../nn/clip.js';
import { withLayerProbe } from '../nn/probe.js';
import type { Optimizer } from '../nn/optim/index.js';
import { shown } from '../util/text.js';
import type { TrainConfig } from './config.js';
import type { EventSink } from './events.js';
import type { Schedule } from './schedule.js';

/** Named parts of a model's loss (recon, kl, sparsity, …), each a mean over samples. */
export type Terms = Record<string, number>;

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valLoss: number | null;
  /** The model's loss terms over the epoch's training samples, and over the validation split. */
  terms?: Terms;
  valTerms?: Terms | null;
  lr: number;
  seconds: number;
  samplesPerSec: number;
}

/** Everything besides weights and optimizer buffers that a resumed run needs. */
export interface TrainState {
  epochsDone: number;
  step: number;
  bestValLoss: number | null;
  bestEpoch: number;
  badEpochs: number;
  stopped: boolean;
  history: EpochRecord[];
  schedule: unknown;
  /** Loss of the run's first step: the yardstick for runaway loss. */
  firstLoss: number | null;
}

export interface TrainOptions {
  model: Autoencoder;
  optimizer: Optimizer;
  schedule: Schedule;
  config: TrainConfig;
  train: Dataset;
  val: Dataset | null;
  onEvent: EventSink;
  /** Persist a checkpoint (weights, optimizer, state) after an epoch; must be atomic. */
  checkpoint?: (state: TrainState) => string;
  resume?: TrainState;
  /**
   * Stops the run between two steps when aborted (Ctrl-C, a pruned trial, a cancelled job). The
   * epoch under way is dropped, so the run ends at its last epoch-end checkpoint, which resumes
   * exactly. The trainer yields to the event loop every few milliseconds so that the abort, and any
   * other event, is seen while it trains.
   */
  signal?: AbortSignal;
  /** Applied to every training batch in place before the model sees it (dynamic binarisation; see data-prep.ts). */
  batchTransform?: BatchTransform | null;
}

/**
 * A random change of a training batch's values, in place. Its draws come from a stream that is a
 * pure function of (seed, epoch), consumed batch by batch, so a resumed epoch replays it exactly.
 */
export type BatchTransform = (x: Float32Array, rng: Rng) => void;

export interface TrainResult {
  status: 'completed' | 'early_stopped' | 'stopped';
  /** Why a stopped run stopped: the abort reason's message. */
  stopReason?: string;
  state: TrainState;
  wallSeconds: number;
  samplesPerSec: number;
}

/** A step loss this many times the first step's means training is running away (Adam with a huge rate stays finite). */
export const RUNAWAY_FACTOR = 1e4;

/** Training diverged: NaN/Inf (naming the first layer at fault) or a runaway loss. */
export class DivergedError extends Error {
  constructor(readonly epoch: number, readonly step: number, what: string, detail: string) {
    super(`${what} at epoch ${epoch + 1}, step ${step}: ${detail}`);
    this.name = 'DivergedError';
  }
}

export function freshState(): TrainState {
  return { epochsDone: 0, step: 0, bestValLoss: null, bestEpoch: -1, badEpochs: 0, stopped: false, history: [], schedule: null, firstLoss: null };
}

/** Validate a trainer state read from `path` (a checkpoint's state.json); errors name the field. */
export function parseTrainState(raw: Record<string, unknown>, path: string): TrainState {
  const bad = (k: string, want: string) => new Error(`${path}: ${k} must be ${want}, got ${shown(raw[k])}`);
  const int = (k: string, min: number) => {
    if (!Number.isSafeInteger(raw[k]) || (raw[k] as number) < min) throw bad(k, `an integer ≥ ${min}`);
    return raw[k] as number;
  };
  const numOrNull = (k: string) => {
    if (raw[k] === undefined || raw[k] === null) return null;
    if (typeof raw[k] !== 'number' || !Number.isFinite(raw[k])) throw bad(k, 'a finite number or null');
    return raw[k] as number;
  };
  if (typeof raw.stopped !== 'boolean') throw bad('stopped', 'true or false');
  const history = raw.history;
  if (!Array.isArray(history) || !history.every(isEpochRecord)) throw bad('history', 'a list of epoch records');
  const state: TrainState = {
    epochsDone: int('epochsDone', 0), step: int('step', 0), bestValLoss: numOrNull('bestValLoss'), bestEpoch: int('bestEpoch', -1),
    badEpochs: int('badEpochs', 0), stopped: raw.stopped, history: history as EpochRecord[], schedule: raw.schedule ?? null,
    firstLoss: numOrNull('firstLoss') ?? (history as EpochRecord[])[0]?.trainLoss ?? null,
  };
  if (history.length !== state.epochsDone) throw new Error(`${path}: history has ${history.length} epochs but epochsDone is ${state.epochsDone}`);
  return state;
}

function isEpochRecord(r: unknown): boolean {
  if (typeof r !== 'object' || r === null) return false;
  const e = r as Record<string, unknown>;
  return Number.isSafeInteger(e.epoch) && typeof e.trainLoss === 'number' && (e.valLoss === null || typeof e.valLoss === 'number') && typeof e.lr === 'number'
    && isTerms(e.terms, false) && isTerms(e.valTerms, true);
}

function isTerms(t: unknown, nullable: boolean): boolean {
  if (t === undefined || (nullable && t === null)) return true;
  return typeof t === 'object' && t !== null && !Array.isArray(t) && Object.values(t).every((v) => typeof v === 'number');
}

/** A KL term below this many nats per sample (summed over the latent units) after the second epoch means the code carries nothing. */
const KL_COLLAPSE_NATS = 0.01;

/** How long the trainer may run without letting the event loop in (signals, messages, timers). */
const YIELD_MS = 20;

export async function train(o: TrainOptions): Promise<TrainResult> {
  const { model, optimizer, config, onEvent } = o;
  const state: TrainState = o.resume ? structuredClone(o.resume) : freshState();
  if (o.resume) o.schedule.loadState(o.resume.schedule);
  const params = model.parameters();
  const loader = new BatchLoader(o.train, { batchSize: config.batchSize, shuffle: true, seed: config.seed, dropLast: false });
  const batches = loader.numBatches;
  const t0 = performance.now();
  let trainedSamples = 0;
  let trainSeconds = 0;
  onEvent({
    type: 'run_start', time: new Date().toISOString(), backend: getBackend().name, parameters: model.numParameters(),
    trainSize: o.train.n, valSize: o.val?.n ?? 0, epochs: config.epochs, stepsPerEpoch: batches, batchSize: config.batchSize,
    resumedFromEpoch: o.resume ? state.epochsDone : null,
  });
  let warnedCollapse = false;
  let lastYield = performance.now();
  let stopReason: string | null = null;
  const stopRequested = async (): Promise<boolean> => {
    if (performance.now() - lastYield >= YIELD_MS) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    if (o.signal?.aborted) stopReason = reasonOf(o.signal);
    return stopReason !== null;
  };
  epochs: for (let epoch = state.epochsDone; epoch < config.epochs && !state.stopped; epoch++) {
    if (await stopRequested()) break;
    const epochLr = o.schedule.lrFor(epoch);
    optimizer.lr = epochLr;
    const rng = Rng.derive(config.seed, 0x6e6f, epoch);
    const batchRng = Rng.derive(config.seed, 0x62696e, epoch);
    const e0 = performance.now();
    let lossSum = 0;
    let b = 0;
    const info: StepInfo = { epoch, step: 0, progress: 0, termSums: {} };
    for (const idx of loader.batches(epoch)) {
      if (b > 0 && await stopRequested()) {
        // The partial epoch is dropped: the run's state is its last epoch end (the step counter included).
        state.step -= b;
        break epochs;
      }
      info.step = state.step + 1;
      // Linear warm-up counts steps over the whole run (state.step survives resume), so a resumed run
      // sees the same rates as an uninterrupted one.
      if (config.warmupSteps > 0) optimizer.lr = epochLr * Math.min(1, info.step / config.warmupSteps);
      info.progress = (epoch * batches + b) / (config.epochs * batches);
      const loss = trainStep(o, params, idx, rng, info, o.batchTransform ? { fn: o.batchTransform, rng: batchRng } : null);
      state.step++;
      if (!Number.isFinite(loss)) throw new DivergedError(epoch, state.step, 'non-finite loss', diagnose(model, o.train, idx));
      state.firstLoss ??= loss;
      // A first loss of 0 or below gives no scale to measure against (a log-likelihood loss may be negative).
      if (state.firstLoss > 0 && loss > RUNAWAY_FACTOR * state.firstLoss) throw runaway(epoch, state.step, loss, state.firstLoss);
      lossSum += loss * idx.length;
      onEvent({ type: 'step', epoch, step: state.step, batch: ++b, batches, loss, lr: optimizer.lr });
    }
    const seconds = (performance.now() - e0) / 1000;
    trainedSamples += o.train.n;
    trainSeconds += seconds;
    const val = o.val ? evaluateLoss(model, o.val, config.evalBatchSize) : null;
    const terms = scaleTerms(info.termSums, 1 / o.train.n);
    const record: EpochRecord = {
      epoch, trainLoss: lossSum / o.train.n, valLoss: val?.loss ?? null, terms, valTerms: val?.terms ?? null,
      lr: epochLr, seconds, samplesPerSec: o.train.n / seconds,
    };
    state.history.push(record);
    state.epochsDone = epoch + 1;
    onEvent({ type: 'epoch_end', epochs: config.epochs, ...record, terms, valTerms: record.valTerms ?? null });
    updateEarlyStopping(state, record, config, onEvent);
    if (!warnedCollapse && epoch >= 1 && terms.kl !== undefined && terms.kl < KL_COLLAPSE_NATS) {
      warnedCollapse = true;
      onEvent({
        type: 'warning', epoch, code: 'posterior_collapse',
        message: `the KL term is ${terms.kl.toExponential(1)} nats per sample after epoch ${epoch + 1}: the decoder ignores the latent code (posterior collapse), so samples and the latent space mean nothing; try a smaller --beta, a lower --lr, --warmup-steps or --kl-warmup`,
      });
    }
    o.schedule.onEpochEnd(epoch, record.valLoss ?? record.trainLoss);
    state.schedule = o.schedule.state();
    if (o.checkpoint) {
      const bad = firstNonFinite(model);
      if (bad) throw new DivergedError(epoch, state.step, 'non-finite weights', `parameter ${bad} is not finite; the last good checkpoint is kept`);
      onEvent({ type: 'checkpoint', epoch, dir: o.checkpoint(state) });
    }
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const samplesPerSec = trainedSamples / Math.max(trainSeconds, 1e-9);
  if (stopReason !== null) {
    onEvent({ type: 'stopped', epochsDone: state.epochsDone, reason: stopReason });
    return { status: 'stopped', stopReason, state, wallSeconds, samplesPerSec };
  }
  return { status: state.stopped ? 'early_stopped' : 'completed', state, wallSeconds, samplesPerSec };
}

function reasonOf(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : typeof r === 'string' ? r : 'stopped';
}

/**
 * Let pending events run: setImmediate in Node, a MessageChannel round trip in browsers and
 * workers (setTimeout is clamped to 4 ms there when nested).
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (g.setImmediate) return new Promise((r) => g.setImmediate!(r));
  return new Promise((r) => {
    const ch = new MessageChannel();
    const port = ch.port1 as unknown as { onmessage: (() => void) | null; close(): void };
    port.onmessage = () => {
      port.close();
      r();
    };
    ch.port2.postMessage(null);
  });
}

function runaway(epoch: number, step: number, loss: number, first: number): DivergedError {
  const detail = `the loss ${loss.toPrecision(3)} is over ${RUNAWAY_FACTOR.toLocaleString('en-US')}× the first step's ${first.toPrecision(3)}, so training is diverging (try a lower --lr or --clip-norm)`;
  return new DivergedError(epoch, step, 'runaway loss', detail);
}

/** What one optimisation step needs. */
export interface StepContext {
  model: Autoencoder;
  optimizer: Optimizer;
  train: Dataset;
  config: { clipNorm: number };
}

/** Where a step sits in training (passed to the model), and the sums of its loss terms × batch size so far. */
export interface StepInfo {
  epoch: number;
  step: number;
  progress: number;
  termSums: Terms;
}

/** One optimisation step on the rows `idx` (gathered straight into backend memory); returns the batch loss. */
export function trainStep(o: StepContext, params: Tensor[], idx: Int32Array, rng: Rng, info?: StepInfo, transform: { fn: BatchTransform; rng: Rng } | null = null): number {
  const x = empty([idx.length, ...o.train.sampleShape]); // (B, …sampleShape)
  gatherBatch(o.train, idx, x.data as Float32Array);
  transform?.fn(x.data as Float32Array, transform.rng);
  const labels = batchLabels(o.model, o.train, idx);
  const loss = tidy(() => {
    const out = o.model.forward(x, info ? { training: true, rng, labels, epoch: info.epoch, step: info.step, progress: info.progress } : { training: true, rng, labels });
    const value = out.loss.item();
    if (info) addTerms(info.termSums, out.terms, idx.length);
    if (!Number.isFinite(value)) return value;
    const grads = backward(out.loss);
    if (o.config.clipNorm > 0) clipGradNorm(grads, o.config.clipNorm);
    o.optimizer.step(params, grads);
    return value;
  });
  x.dispose();
  return loss;
}

/** The labels of rows `idx` when the model is conditioned on them (the session checked that `ds` has them), else null. */
function batchLabels(model: Autoencoder, ds: Dataset, idx: Int32Array): Labels | null {
  return model.conditioning === null || ds.labels === null ? null : gatherLabels(ds, idx, new Int32Array(idx.length));
}

/**
 * Rows `idx` of `ds` into backend memory: through the backend's gather when it has one (the native
 * one splits the copy over its threads and prefetches rows, 2–4× faster on shuffled MNIST), else
 * the data layer's reference copy. A bad index throws the data layer's error either way.
 */
function gatherBatch(ds: Dataset, idx: Int32Array, out: Float32Array): void {
  const be = getBackend();
  if (!be.gatherRows) {
    gatherRows(ds, idx, out);
    return;
  }
  const bad = be.gatherRows(ds.x.subarray(0, ds.n * ds.dim), ds.dim, idx, out);
  if (bad >= 0) {
    checkRowIndex(ds, idx[bad]!, bad);
    throw new Error(`${ds.source}: row index ${idx[bad]} at position ${bad} was refused by the ${be.name} backend's gather`);
  }
}

/** Mean loss and loss terms over a data set in evaluation mode. */
export function evaluateLoss(model: Autoencoder, ds: Dataset, batchSize: number): { loss: number; terms: Terms } {
  let total = 0;
  const sums: Terms = {};
  forEachBatch(ds, batchSize, (x, _start, labels) => {
    total += tidy(() => {
      const out = model.forward(x, { training: false, labels });
      addTerms(sums, out.terms, x.shape[0]!);
      return out.loss.item();
    }) * x.shape[0]!;
  });
  return { loss: total / ds.n, terms: scaleTerms(sums, 1 / ds.n) };
}

/** sums[k] += weight × term k, for every term the model reported. */
export function addTerms(sums: Terms, terms: Readonly<Record<string, Tensor>>, weight: number): void {
  for (const [k, t] of Object.entries(terms)) sums[k] = (sums[k] ?? 0) + t.item() * weight;
}

export function scaleTerms(sums: Terms, factor: number): Terms {
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v * factor]));
}

/** Visit a data set in order, in batches, as backend tensors (disposed after each call) with their labels (a view; null for unlabelled data). */
export function forEachBatch(ds: Dataset, batchSize: number, fn: (x: Tensor, start: number, labels: Labels | null) => void): void {
  const all = new Int32Array(ds.n).map((_, i) => i);
  for (let start = 0; start < ds.n; start += batchSize) {
    const idx = all.subarray(start, Math.min(ds.n, start + batchSize));
    const x = empty([idx.length, ...ds.sampleShape]);
    gatherBatch(ds, idx, x.data as Float32Array);
    try {
      fn(x, start, ds.labels?.subarray(start, start + idx.length) ?? null);
    } finally {
      x.dispose();
    }
  }
}

function updateEarlyStopping(state: TrainState, r: EpochRecord, config: TrainConfig, onEvent: EventSink): void {
  const metric = r.valLoss ?? r.trainLoss;
  if (state.bestValLoss === null || metric < state.bestValLoss - config.minDelta) {
    state.bestValLoss = metric;
    state.bestEpoch = r.epoch;
    state.badEpochs = 0;
    return;
  }
  state.badEpochs++;
  if (config.earlyStopping > 0 && state.badEpochs >= config.earlyStopping) {
    state.stopped = true;
    onEvent({ type: 'early_stop', epoch: r.epoch, bestEpoch: state.bestEpoch, bestValLoss: state.bestValLoss });
  }
}

/** Name of the first parameter holding NaN or Inf, or null. */
export function firstNonFinite(model: Autoencoder): string | null {
  for (const [name, t] of model.namedParameters()) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return name;
  }
  return null;
}

/** Name where NaN/Inf came from: a parameter, else the first layer whose output on this batch is not finite. */
function diagnose(model: Autoencoder, ds: Dataset, idx: Int32Array): string {
  const bad = firstNonFinite(model);
  if (bad) {
    const layer = bad.replace(/\.(weight|bias)$/, '');
    return `layer ${layer} has non-finite ${bad.slice(layer.length + 1)} values (try a lower --lr or --clip-norm)`;
  }
  let first: string | null = null;
  const x = empty([idx.length, ...ds.sampleShape]);
  gatherBatch(ds, idx, x.data as Float32Array);
  const labels = batchLabels(model, ds, idx);
  withLayerProbe(
    (layer, out) => {
      if (first === null && !allFinite(out.data)) first = layer;
    },
    () => tidy(() => noGrad(() => model.forward(x, { training: false, labels }).loss.item())),
  );
  x.dispose();
  return first !== null
    ? `layer ${first} produced non-finite outputs; its inputs or weights have grown too large (try a lower --lr or --clip-norm)`
    : 'every layer output is finite, so the loss itself overflowed on this batch';
}

function allFinite(d: ArrayLike<number>): boolean {
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return false;
  return true;
}

