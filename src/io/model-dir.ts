/**
 * The model directory users keep: config.json (resolved config, format version, data
 * normalisation) + model.safetensors (standard layout; names like `encoder.layers.0.weight`, so
 * PyTorch's load_state_dict takes them) and, for checkpoints, optimizer.safetensors + state.json.
 * A directory is written as a whole into a temporary sibling and renamed into place, so a reader
 * never sees weights from one epoch beside state from another.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { readFileBytes } from '../data/file.js';
import { basename, dirname, join } from 'node:path';
import { Rng } from '../core/index.js';
import { normalizerFromJSON, type Normalizer } from '../data/index.js';
import { createModel, parseModelConfig, type Autoencoder, type ModelConfigBase } from '../models/index.js';
import type { Optimizer, OptimizerState } from '../nn/optim/index.js';
import { ensureDir, fsyncDir, writeJsonAtomic } from '../util/atomic.js';
import { jsonProblem, shown } from '../util/text.js';
import { floatTensors, readSafetensors, writeSafetensors, type SafetensorsTensor } from './safetensors.js';

export const MODEL_FORMAT = 'aekit-model';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelDirConfig {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  model: ModelConfigBase;
  data: { sampleShape: number[]; normalizer: unknown };
  /** The full resolved run configuration, when the model came from `aekit train`. */
  run?: unknown;
}

export interface SaveOptions {
  model: Autoencoder;
  sampleShape: readonly number[];
  normalizer: Normalizer | null;
  run?: unknown;
  optimizer?: Optimizer;
  /** Trainer state for exact resume (written to state.json). */
  state?: unknown;
  /** Write config.json only (a run directory before its model has finished training). */
  configOnly?: boolean;
}

export function modelConfigJson(o: SaveOptions): ModelDirConfig {
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    model: o.model.config,
    data: { sampleShape: [...o.sampleShape], normalizer: o.normalizer ? o.normalizer.toJSON() : null },
    ...(o.run !== undefined ? { run: o.run } : {}),
  };
}

/** Write config.json and model.safetensors into `dir` (each file atomically). */
export function writeModelFiles(dir: string, o: SaveOptions): void {
  ensureDir(dir);
  writeJsonAtomic(join(dir, 'config.json'), modelConfigJson(o));
  if (o.configOnly) return;
  writeSafetensors(join(dir, 'model.safetensors'), parameterTensors(o.model), { format: 'pt', producer: 'aekit' });
}

/**
 * Write a complete model directory at `dir`, which must not exist yet: everything goes into a
 * temporary sibling that is renamed into place, so `dir` appears whole or not at all.
 */
export function saveModelDir(dir: string, o: SaveOptions): void {
  if (existsSync(dir)) throw new Error(`${dir} already exists; model directories are never overwritten in place`);
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  writeModelFiles(tmp, o);
  if (o.optimizer) {
    const { buffers, ...meta } = o.optimizer.stateDict();
    const tensors: Record<string, SafetensorsTensor> = {};
    for (const [k, b] of Object.entries(buffers)) tensors[k] = { dtype: 'F32', shape: b.shape, data: Float32Array.from(b.data) };
    writeSafetensors(join(tmp, 'optimizer.safetensors'), tensors, { optimizer: JSON.stringify(meta) });
  }
  if (o.state !== undefined) writeJsonAtomic(join(tmp, 'state.json'), o.state);
  renameSync(tmp, dir);
  fsyncDir(dirname(dir));
}

function parameterTensors(model: Autoencoder): Record<string, SafetensorsTensor> {
  const out: Record<string, SafetensorsTensor> = {};
  for (const [name, t] of model.namedState()) out[name] = { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(t.data) };
  return out;
}

export interface LoadedModel {
  model: Autoencoder;
  config: ModelDirConfig;
  normalizer: Normalizer | null;
  dir: string;
}

export function readModelConfig(dir: string): ModelDirConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new Error(`${dir} is not a model directory: no config.json`);
  return readModelConfigFile(path);
}

/** Read and validate a model directory's config.json at `path`; errors name the file and the field. */
export function readModelConfigFile(path: string): ModelDirConfig {
  const c = readJsonObject(path, 'config');
  if (c.format !== MODEL_FORMAT) throw new Error(`${path}: not an aekit model (format is ${shown(c.format)})`);
  if (c.formatVersion !== MODEL_FORMAT_VERSION) throw new Error(`${path}: format version ${shown(c.formatVersion)} is not supported (this aekit reads ${MODEL_FORMAT_VERSION})`);
  const model = parseModelConfig(c.model, `${path}: model`);
  const data = c.data as Partial<ModelDirConfig['data']> | undefined;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error(`${path}: missing the "data" object (sampleShape, normalizer)`);
  const shape = data.sampleShape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new Error(`${path}: data.sampleShape must be a non-empty list of positive integers, got ${shown(shape)}`);
  }
  const width = shape.reduce((a: number, b: number) => a * b, 1);
  if (width !== model.inputDim) throw new Error(`${path}: data.sampleShape [${shape.join(', ')}] holds ${width} values but model.inputDim is ${model.inputDim}`);
  const normalizer = data.normalizer ?? null;
  if (normalizer !== null) {
    const n = wrapped(path, () => normalizerFromJSON(normalizer));
    if (n.offset.length !== width) throw new Error(`${path}: data.normalizer has ${n.offset.length} values per feature but the model takes ${width} features`);
  }
  return { ...(c as unknown as ModelDirConfig), model, data: { sampleShape: shape, normalizer } };
}

/** Parse a JSON file that must hold an object; errors name the file. */
export function readJsonObject(path: string, what: string): Record<string, unknown> {
  let raw: unknown;
  const text = new TextDecoder().decode(readFileBytes(path));
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: invalid JSON (${jsonProblem(err)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${path}: expected a JSON object (the ${what}), got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  return raw as Record<string, unknown>;
}

/** Run `fn`, prefixing the message of a plain error with `path`. */
function wrapped<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`${path}: invalid JSON (${jsonProblem(err)})`);
    if (err instanceof Error && !(err instanceof TypeError) && !err.message.startsWith(path)) throw new Error(`${path}: ${err.message}`);
    throw err;
  }
}

/** Rebuild a model from its directory through the registry and load its weights. */
export function loadModelDir(dir: string): LoadedModel {
  const config = readModelConfig(dir);
  const model = createModel(config.model, new Rng(0));
  loadWeights(dir, model);
  const normalizer = config.data.normalizer ? normalizerFromJSON(config.data.normalizer) : null;
  return { model, config, normalizer, dir };
}

/** Load dir/model.safetensors into `model`; names and shapes must match exactly. */
export function loadWeights(dir: string, model: Autoencoder): void {
  const path = join(dir, 'model.safetensors');
  if (!existsSync(path)) throw new Error(`${dir}: no model.safetensors`);
  model.loadParameters(floatTensors(readSafetensors(path), path), path);
}

/** Restore optimizer buffers saved by saveModelDir. */
export function loadOptimizerState(dir: string, optimizer: Optimizer, model: Autoencoder): void {
  const path = join(dir, 'optimizer.safetensors');
  if (!existsSync(path)) throw new Error(`${dir}: no optimizer.safetensors, so this is not a resumable checkpoint`);
  loadOptimizerFile(path, optimizer, model);
}

/** Restore optimizer buffers from the safetensors file at `path`, checked against `model`'s parameters. */
export function loadOptimizerFile(path: string, optimizer: Optimizer, model: Autoencoder): void {
  const { tensors, metadata } = readSafetensors(path);
  const meta = wrapped(path, () => {
    const m: unknown = JSON.parse(metadata.optimizer ?? '{}');
    if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('metadata "optimizer" must be a JSON object');
    return m as Omit<OptimizerState, 'buffers'>;
  });
  const buffers: OptimizerState['buffers'] = {};
  const params = new Map(model.namedParameters().map(([n, t]) => [n, t.shape]));
  for (const [k, t] of Object.entries(tensors)) {
    const name = k.slice(0, k.lastIndexOf('.'));
    const shape = params.get(name);
    if (shape === undefined) throw new Error(`${path}: buffer '${k}' belongs to no parameter of the model`);
    const isStep = k.endsWith('.step');
    if (!isStep && (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))) {
      throw new Error(`${path}: buffer '${k}' has shape [${t.shape.join(', ')}], its parameter has [${shape.join(', ')}]`);
    }
    const data = Float32Array.from(t.data as ArrayLike<number>);
    if (!data.every(Number.isFinite)) throw new Error(`${path}: buffer '${k}' holds values that are not finite`);
    buffers[k] = { shape: [...t.shape], data };
  }
  wrapped(path, () => optimizer.loadStateDict({ ...meta, buffers }));
}

/** The raw state.json of a checkpoint (the trainer validates its fields). */
export function readState(dir: string): Record<string, unknown> {
  const path = join(dir, 'state.json');
  if (!existsSync(path)) throw new Error(`${dir}: no state.json, so this is not a resumable checkpoint`);
  return readJsonObject(path, 'trainer state');
}
