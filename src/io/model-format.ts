/**
 * The model format without the file system: config.json's contents (format, version, model config,
 * sample shape, normaliser) and the weights as safetensors bytes. Pure, so a browser can open a
 * model trained by the CLI and save one the CLI opens; model-dir.ts puts these on disk.
 */
import { Rng } from '../core/index.js';
import { normalizerFromJSON, type Normalizer } from '../data/normalize.js';
import { createModel, parseModelConfig, type Autoencoder, type ModelConfigBase } from '../models/index.js';
import { jsonProblem, shown } from '../util/text.js';
import { floatTensors, parseSafetensors, serializeSafetensors, type SafetensorsTensor } from './safetensors.js';

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

/** What config.json records of a model. */
export interface ModelDescription {
  model: Autoencoder;
  sampleShape: readonly number[];
  normalizer: Normalizer | null;
  run?: unknown;
}

export function modelConfigJson(o: ModelDescription): ModelDirConfig {
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    model: o.model.config,
    data: { sampleShape: [...o.sampleShape], normalizer: o.normalizer ? o.normalizer.toJSON() : null },
    ...(o.run !== undefined ? { run: o.run } : {}),
  };
}

/** The model's parameters and buffers as safetensors tensors (names as PyTorch's state_dict). */
export function modelTensors(model: Autoencoder): Record<string, SafetensorsTensor> {
  const out: Record<string, SafetensorsTensor> = {};
  for (const [name, t] of model.namedState()) out[name] = { dtype: 'F32', shape: [...t.shape], data: Float32Array.from(t.data) };
  return out;
}

/** The metadata aekit writes into model.safetensors. */
export const WEIGHTS_METADATA = { format: 'pt', producer: 'aekit' };

/** A model as the two files of a model directory: config.json's text and model.safetensors' bytes. */
export function modelToFiles(o: ModelDescription): { config: string; weights: Uint8Array } {
  return { config: JSON.stringify(modelConfigJson(o), null, 2) + '\n', weights: serializeSafetensors(modelTensors(o.model), WEIGHTS_METADATA) };
}

/** A model rebuilt from the contents of config.json and model.safetensors; `source` names them in errors. */
export function modelFromFiles(configText: string, weights: Uint8Array, source = 'model'): { model: Autoencoder; config: ModelDirConfig; normalizer: Normalizer | null } {
  const configSource = `${source}/config.json`;
  const config = parseModelDirConfig(parseJsonObject(configText, configSource, 'config'), configSource);
  const model = createModel(config.model, new Rng(0));
  const weightsSource = `${source}/model.safetensors`;
  model.loadParameters(floatTensors(parseSafetensors(weights, weightsSource), weightsSource), weightsSource);
  return { model, config, normalizer: config.data.normalizer ? normalizerFromJSON(config.data.normalizer) : null };
}

/** Validate the object held by a model directory's config.json; errors name `path` and the field. */
export function parseModelDirConfig(c: Record<string, unknown>, path: string): ModelDirConfig {
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

/** Parse JSON text that must hold an object; errors name `path`. */
export function parseJsonObject(text: string, path: string, what: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: invalid JSON (${jsonProblem(err)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${path}: expected a JSON object (the ${what}), got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  return raw as Record<string, unknown>;
}

/** Run `fn`, prefixing the message of a plain error with `path`. */
export function wrapped<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`${path}: invalid JSON (${jsonProblem(err)})`);
    if (err instanceof Error && !(err instanceof TypeError) && !err.message.startsWith(path)) throw new Error(`${path}: ${err.message}`);
    throw err;
  }
}

