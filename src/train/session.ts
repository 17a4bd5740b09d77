/**
 * A whole training run as the CLI and the server start it: resolve data, build the model and
 * optimizer, train with checkpoints in a run directory, then write the final model, metrics and
 * pictures. Resuming reads everything back from the run directory.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { backendFallbackNotes, getBackend, Rng, setBackend } from '../core/index.js';
import { registerBuiltinBackends } from '../backends/index.js';
import { loadOptimizerState, loadWeights, readModelConfig, readState, writeModelFiles } from '../io/model-dir.js';
import { createModel, registerBuiltinModels, type Autoencoder } from '../models/index.js';
import { createOptimizer } from '../nn/optim/index.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { parseRunConfig, type RunConfig } from './config.js';
import { prepareData, type PreparedData } from './data-setup.js';
import { evaluateReconstruction, type ReconMetrics } from './evaluate.js';
import { fanOut, JsonlSink, type EventSink } from './events.js';
import { writeRunPictures } from './pictures.js';
import { latestCheckpoint, writeCheckpoint } from './run-dir.js';
import { makeSchedule } from './schedule.js';
import { train, type TrainResult, type TrainState } from './trainer.js';

export interface SessionOptions {
  config: RunConfig;
  outDir: string;
  onEvent?: EventSink;
  /** Continue the run in outDir from its latest checkpoint. */
  resume?: boolean;
  /** Called once with a note when 'auto' had to fall back from a faster backend. */
  onNote?: (note: string) => void;
}

export interface SessionResult {
  outDir: string;
  config: RunConfig;
  train: TrainResult;
  test: ReconMetrics | null;
  metrics: Record<string, unknown>;
}

export async function runSession(o: SessionOptions): Promise<SessionResult> {
  registerBuiltinModels();
  const config = o.config;
  await selectBackend(config, o.onNote);
  const data = prepareData(config.data, config.train.seed);
  config.model = checkInputDim(config, data.train.dim);
  const model = createModel(config.model, new Rng(config.train.seed));
  const { momentum, ...optRest } = config.optimizer;
  const optimizer = createOptimizer(momentum === null ? optRest : { ...optRest, momentum });
  const schedule = makeSchedule(config.train, config.optimizer.lr);
  let resumeState: TrainState | undefined;
  if (o.resume) {
    const ckpt = latestCheckpoint(o.outDir);
    if (!ckpt) throw new Error(`${o.outDir} has no checkpoint to resume from (no checkpoint.json)`);
    loadWeights(ckpt, model);
    loadOptimizerState(ckpt, optimizer);
    resumeState = readState<TrainState>(ckpt);
  } else {
    refuseExistingRun(o.outDir);
  }
  const saveBase = { model, sampleShape: data.sampleShape, normalizer: data.normalizer, run: config };
  writeModelFiles(o.outDir, saveBase);
  const log = new JsonlSink(join(o.outDir, 'events.jsonl'));
  const onEvent = fanOut(log.write, o.onEvent ?? (() => {}));
  try {
    const result = train({
      model, optimizer, schedule, config: config.train, train: data.train, val: data.val, onEvent,
      checkpoint: (state) => writeCheckpoint(o.outDir, state.epochsDone, { ...saveBase, optimizer, state }),
      ...(resumeState ? { resume: resumeState } : {}),
    });
    writeModelFiles(o.outDir, saveBase);
    if (data.test) onEvent({ type: 'evaluation_start', split: 'test', samples: data.test.n });
    const test = data.test ? evaluateReconstruction(model, data.test, config.train.evalBatchSize) : null;
    if (test) onEvent({ type: 'evaluation', split: 'test', metrics: { ...test, bce: test.bce ?? NaN } });
    const metrics = metricsJson(config, result, test, model);
    writeJsonAtomic(join(o.outDir, 'metrics.json'), metrics);
    writeRunPictures(o.outDir, model, data, result.state.history);
    onEvent({ type: 'run_end', status: result.status, epochs: result.state.epochsDone, wallSeconds: result.wallSeconds, samplesPerSec: result.samplesPerSec });
    return { outDir: o.outDir, config, train: result, test, metrics };
  } catch (err) {
    onEvent({ type: 'run_end', status: 'failed', epochs: -1, wallSeconds: 0, samplesPerSec: 0, error: (err as Error).message });
    throw err;
  } finally {
    log.close();
    optimizer.dispose();
  }
}

async function selectBackend(config: RunConfig, onNote?: (n: string) => void): Promise<void> {
  registerBuiltinBackends();
  const be = await setBackend(config.train.backend);
  if (config.train.threads > 0) be.setThreads?.(config.train.threads);
  const notes = backendFallbackNotes();
  if (config.train.backend === 'auto' && notes.length) onNote?.(`${notes.join('; ')}; using '${be.name}'`);
}

function checkInputDim(config: RunConfig, dim: number): RunConfig['model'] {
  const given = config.model.inputDim;
  if (given !== dim && given !== 784) throw new Error(`model.inputDim is ${given} but the data has ${dim} features per sample`);
  return { ...config.model, inputDim: dim };
}

function refuseExistingRun(dir: string): void {
  if (existsSync(join(dir, 'checkpoint.json')) || (existsSync(join(dir, 'model.safetensors')) && readdirSync(dir).length > 0)) {
    throw new Error(`${dir} already holds a run: resume it with --resume ${dir}, or choose another --out`);
  }
}

/** Read a run directory's resolved config so `--resume` needs no other flags. */
export function readRunConfig(dir: string): RunConfig {
  const c = readModelConfig(dir);
  if (c.run === undefined) throw new Error(`${dir}/config.json has no run configuration, so it cannot be resumed`);
  return parseRunConfig(c.run);
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
    test: test ? { mse: test.mse, bce: test.bce, sqErrPerImage: test.sqErrPerImage, loss: test.loss, n: test.n } : null,
  };
}

export type { PreparedData };
