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
import { normalizerFromJSON, type Normalizer } from '../data/normalize.js';
import { createModel, type Autoencoder } from '../models/index.js';
import type { Optimizer, OptimizerState } from '../nn/optim/index.js';
import { ensureDir, fsyncDir, writeJsonAtomic } from '../util/atomic.js';
import {
  modelConfigJson, modelTensors, parseJsonObject, parseModelDirConfig, wrapped, WEIGHTS_METADATA,
  type ModelDescription, type ModelDirConfig,
} from './model-format.js';
import { floatTensors, type SafetensorsTensor } from './safetensors.js';
import { readSafetensors, writeSafetensors } from './safetensors-file.js';

export interface SaveOptions extends ModelDescription {
  optimizer?: Optimizer;
  /** Trainer state for exact resume (written to state.json). */
  state?: unknown;
  /** Write config.json only (a run directory before its model has finished training). */
  configOnly?: boolean;
}

/** Write config.json and model.safetensors into `dir` (each file atomically). */
export function writeModelFiles(dir: string, o: SaveOptions): void {
  ensureDir(dir);
  writeJsonAtomic(join(dir, 'config.json'), modelConfigJson(o));
  if (o.configOnly) return;
  writeSafetensors(join(dir, 'model.safetensors'), modelTensors(o.model), WEIGHTS_METADATA);
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
  return parseModelDirConfig(readJsonObject(path, 'config'), path);
}

/** Parse a JSON file that must hold an object; errors name the file. */
export function readJsonObject(path: string, what: string): Record<string, unknown> {
  return parseJsonObject(new TextDecoder().decode(readFileBytes(path)), path, what);
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
