/**
 * A whole training run as the CLI and the server start it: resolve data, build the model and
 * optimizer, train with checkpoints in a run directory, then write the final model, metrics and
 * pictures. Resuming reads everything back from the run's last checkpoint. `run.json` says at every
 * moment what the directory holds (see run-dir.ts); the final model.safetensors appears only when
 * the run has finished.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backendFallbackNotes, getBackend, Rng, setBackend } from '../core/index.js';
import { registerBuiltinBackends } from '../backends/index.js';
import { loadOptimizerState, loadWeights, readModelConfig, readState, writeModelFiles, type SaveOptions } from '../io/model-dir.js';
import { createModel, fitModelToData, labelProblem, registerBuiltinModels, type Autoencoder } from '../models/index.js';
import type { Optimizer } from '../nn/optim/index.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { classify, InputError, UsageError } from '../util/errors.js';
import { parseRunConfig, type RunConfig } from './config.js';
import { trainingBatchTransform } from './data-prep.js';
import { prepareData, type PreparedData } from './data-setup.js';
import { evaluateReconstruction, type ReconMetrics } from './evaluate.js';
import { fanOut, JsonlSink, type EventSink } from './events.js';
import { writeRunPictures } from './pictures.js';
import { checkRunDirFree, cleanRunDir, createRunDir, latestCheckpoint, newRunRecord, readRunRecord, writeCheckpoint, writeRunRecord, type RunRecord } from './run-dir.js';
import { makeOptimizer, makeSchedule } from './schedule.js';
import { DivergedError, parseTrainState, train, type TrainResult, type TrainState } from './trainer.js';

export interface SessionOptions {
  config: RunConfig;
  outDir: string;
  onEvent?: EventSink;
  /** Continue the run in outDir from its latest checkpoint (from the start if it has none yet). */
  resume?: boolean;
  /** Stops training between two steps; the run ends 'interrupted' at its last checkpoint, resumable. */
  signal?: AbortSignal;
  /** Called with a note when 'auto' had to fall back from a faster backend, a resume starts over, or images were resized. */
  onNote?: (note: string) => void;
}

export interface SessionResult {
  outDir: string;
  config: RunConfig;
  train: TrainResult;
  test: ReconMetrics | null;
  metrics: Record<string, unknown>;
  /** The PNG files the run wrote into outDir. */
  pictures: string[];
}

export async function runSession(o: SessionOptions): Promise<SessionResult> {
  registerBuiltinModels();
  const config = o.config;
  const rec = o.resume ? openRunToResume(o.outDir, config) : checkNewRunDir(o.outDir);
  await selectBackend(config, o.onNote);
  const data = classify(InputError, () => prepareData(config.data, config.train.seed));
  for (const note of data.notes) o.onNote?.(note);
  config.model = checkInputDim(config, data.sampleShape);
  const model = createModel(config.model, new Rng(config.train.seed));
  checkLabels(model, data);
  const optimizer = makeRunOptimizer(config);
  const schedule = makeSchedule(config.train, config.optimizer.lr);
  const saveBase: SaveOptions = { model, sampleShape: data.sampleShape, normalizer: data.normalizer, run: config };
  const run = rec ?? newRunRecord(config.train.epochs);
  let resumeState: TrainState | undefined;
  if (rec) {
    resumeState = restore(o.outDir, rec, model, optimizer, o.onNote);
    Object.assign(run, { status: 'running', epochs: config.train.epochs, message: null });
    writeRunRecord(o.outDir, run);
  } else {
    createRunDir(o.outDir, (tmp) => {
      writeModelFiles(tmp, { ...saveBase, configOnly: true });
      writeRunRecord(tmp, run);
    });
  }
  // A resumed run saves its (possibly changed) config once it has checkpointed with it.
  let configSaved = rec === null;
  const log = new JsonlSink(join(o.outDir, 'events.jsonl'));
  const onEvent = fanOut(log.write, o.onEvent ?? (() => {}));
  try {
    const result = await train({
      model, optimizer, schedule, config: config.train, train: data.train, val: data.val, onEvent, batchTransform: trainingBatchTransform(config.data),
      checkpoint: (state) => {
        const dir = writeCheckpoint(o.outDir, run, state.epochsDone, { ...saveBase, optimizer, state });
        if (!configSaved) writeModelFiles(o.outDir, { ...saveBase, configOnly: true });
        configSaved = true;
        return dir;
      },
      ...(resumeState ? { resume: resumeState } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (result.status === 'stopped') {
      const at = result.state.epochsDone === 0 ? 'before its first epoch ended' : `after epoch ${result.state.epochsDone}`;
      Object.assign(run, { status: 'interrupted', message: `${result.stopReason ?? 'stopped'} ${at}; aekit train --resume ${o.outDir} continues it` });
      writeRunRecord(o.outDir, run);
      onEvent({ type: 'run_end', status: 'stopped', epochs: result.state.epochsDone, wallSeconds: result.wallSeconds, samplesPerSec: result.samplesPerSec });
      return { outDir: o.outDir, config, train: result, test: null, metrics: {}, pictures: [] };
    }
    const finished = finish(o.outDir, config, saveBase, model, data, result, onEvent);
    Object.assign(run, { status: 'finished', epochs: result.state.epochsDone });
    writeRunRecord(o.outDir, run);
    onEvent({ type: 'run_end', status: result.status, epochs: result.state.epochsDone, wallSeconds: result.wallSeconds, samplesPerSec: result.samplesPerSec });
    return { outDir: o.outDir, config, train: result, ...finished };
  } catch (err) {
    Object.assign(run, { status: err instanceof DivergedError ? 'diverged' : 'failed', message: (err as Error).message });
    writeRunRecord(o.outDir, run);
    onEvent({ type: 'run_end', status: 'failed', epochs: run.epochsDone, wallSeconds: 0, samplesPerSec: 0, error: (err as Error).message });
    throw err;
  } finally {
    log.close();
    optimizer.dispose();
  }
}

/** Final weights, test metrics, metrics.json and pictures of a run that trained to its end. */
function finish(dir: string, config: RunConfig, saveBase: SaveOptions, model: Autoencoder, data: PreparedData, result: TrainResult, onEvent: EventSink) {
  writeModelFiles(dir, saveBase);
  if (data.test) onEvent({ type: 'evaluation_start', split: 'test', samples: data.test.n });
  const test = data.test ? evaluateReconstruction(model, data.test, config.train.evalBatchSize) : null;
  if (test) onEvent({ type: 'evaluation', split: 'test', metrics: { loss: test.loss, mse: test.mse, bce: test.bce ?? NaN, sqErrPerImage: test.sqErrPerImage, n: test.n, ...prefixed('term.', test.terms), ...(test.denoised ? { denoisedMse: test.denoised.mse, denoisedBce: test.denoised.bce ?? NaN } : {}) } });
  const metrics = metricsJson(config, result, test, model);
  writeJsonAtomic(join(dir, 'metrics.json'), metrics);
  const pictures = writeRunPictures(dir, model, data, result.state.history);
  return { test, metrics, pictures };
}

function prefixed(prefix: string, terms: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(terms).map(([k, v]) => [prefix + k, v]));
}

function makeRunOptimizer(config: RunConfig): Optimizer {
  return classify(UsageError, () => makeOptimizer(config));
}

/** Refuse an --out that exists and is not an empty directory, before any data is read. */
function checkNewRunDir(dir: string): null {
  checkRunDirFree(dir);
  return null;
}

/** The run record of a run to continue; refuses directories that are not runs and runs already done. */
function openRunToResume(dir: string, config: RunConfig): RunRecord {
  if (!existsSync(dir)) throw new UsageError(`--resume ${dir}: no such directory`);
  const rec = readRunRecord(dir);
  if (rec === null) throw new UsageError(`--resume ${dir}: not an aekit run directory (no run.json)`);
  if (rec.status === 'finished' && config.train.epochs <= rec.epochsDone) {
    throw new UsageError(`${dir} has finished its ${rec.epochsDone} epochs; to train further pass --epochs N with N > ${rec.epochsDone}`);
  }
  cleanRunDir(dir);
  return rec;
}

/** Load weights, optimizer buffers and trainer state from the last checkpoint; undefined to start over. */
function restore(dir: string, rec: RunRecord, model: Autoencoder, optimizer: Optimizer, onNote?: (n: string) => void): TrainState | undefined {
  const ckpt = latestCheckpoint(dir, rec);
  if (ckpt === null) {
    onNote?.(`${dir} was stopped before its first checkpoint; starting it over from epoch 1`);
    return undefined;
  }
  return classify(InputError, () => {
    loadWeights(ckpt, model);
    loadOptimizerState(ckpt, optimizer, model);
    const state = parseTrainState(readState(ckpt), join(ckpt, 'state.json'));
    if (state.epochsDone !== rec.epochsDone) throw new Error(`${join(ckpt, 'state.json')}: epochsDone is ${state.epochsDone} but run.json says ${rec.epochsDone}`);
    return state;
  });
}

async function selectBackend(config: RunConfig, onNote?: (n: string) => void): Promise<void> {
  registerBuiltinBackends();
  const be = await classify(UsageError, () => setBackend(config.train.backend));
  if (config.train.threads > 0) be.setThreads?.(config.train.threads);
  const notes = backendFallbackNotes();
  if (config.train.backend === 'auto' && notes.length) onNote?.(`${notes.join('; ')}; using '${be.name}'`);
}

/** A conditional model needs a label in its range for every sample of every split: refused before the run directory is made. */
function checkLabels(model: Autoencoder, data: PreparedData): void {
  for (const ds of [data.train, data.val, data.test]) {
    const problem = ds === null ? null : labelProblem(model, ds.labels);
    if (ds === null || problem === null) continue;
    const hint = ds.labels === null ? 'train it on labelled data (MNIST, a CSV with --label-column, or an image folder with one folder per class)' : 'set --num-classes above the largest label';
    throw new UsageError(`${ds.source}: ${problem}; ${hint}`);
  }
}

/** The model takes the data's width (and a conv body its image shape) unless the config fixed them (then they must agree). */
function checkInputDim(config: RunConfig, sampleShape: readonly number[]): RunConfig['model'] {
  return classify(UsageError, () => fitModelToData(config.model, sampleShape));
}

/**
 * The configuration a run continues with: its last checkpoint's (the one that produced the weights
 * being resumed), or the run's own config.json before the first checkpoint.
 */
export function readRunConfig(dir: string): RunConfig {
  const rec = readRunRecord(dir);
  if (rec === null) throw new UsageError(`--resume ${dir}: not an aekit run directory (no run.json)`);
  return classify(InputError, () => {
    const from = latestCheckpoint(dir, rec) ?? dir;
    const c = readModelConfig(from);
    if (c.run === undefined) throw new Error(`${join(from, 'config.json')} has no run configuration, so it cannot be resumed`);
    try {
      return parseRunConfig(c.run);
    } catch (err) {
      throw new Error(`${join(from, 'config.json')}: run.${(err as Error).message}`);
    }
  });
}

function metricsJson(config: RunConfig, r: TrainResult, test: ReconMetrics | null, model: Autoencoder): Record<string, unknown> {
  const last = r.state.history[r.state.history.length - 1];
  return {
    backend: getBackend().name,
    backendInfo: getBackend().describe(),
    epochs: r.state.epochsDone,
    status: r.status,
    samplesPerSec: r.samplesPerSec,
    wallSeconds: r.wallSeconds,
    parameters: model.numParameters(),
    seed: config.train.seed,
    dataset: config.data.dataset,
    trainLoss: last?.trainLoss ?? null,
    valLoss: last?.valLoss ?? null,
    terms: { train: last?.terms ?? null, val: last?.valTerms ?? null, test: test?.terms ?? null },
    test: test ? { mse: test.mse, bce: test.bce, sqErrPerImage: test.sqErrPerImage, loss: test.loss, n: test.n, ...(test.denoised ? { denoised: test.denoised } : {}) } : null,
  };
}

export type { PreparedData };
