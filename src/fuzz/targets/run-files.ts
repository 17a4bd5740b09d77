/**
 * The files of a model and run directory that aekit reads back: config.json (then the model it
 * describes is built), run.json, a checkpoint's state.json and optimizer.safetensors (loaded into a
 * fixed model's Adam). Seeds are files written by the same code `aekit train` uses.
 */
import { registerBuiltinBackends } from '../../backends/index.js';
import { Rng, setBackend, tensor } from '../../core/index.js';
import { fitNormalizer, makeDataset } from '../../data/index.js';
import { loadOptimizerFile, readJsonObject, readModelConfigFile } from '../../io/model-dir.js';
import { modelConfigJson } from '../../io/model-format.js';
import { serializeSafetensors, safetensor } from '../../io/safetensors.js';
import { createModel, parseModelConfig, registerBuiltinModels, type Autoencoder } from '../../models/index.js';
import { createOptimizer, type Optimizer } from '../../nn/optim/index.js';
import { parseRunConfig } from '../../train/config.js';
import { newRunRecord, readRunFile, type RunRecord } from '../../train/run-dir.js';
import { freshState, parseTrainState, type TrainState } from '../../train/trainer.js';
import type { FuzzTarget } from '../target.js';

registerBuiltinBackends();
registerBuiltinModels();
await setBackend('reference');

const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v, null, 2));
const small = () => createModel(parseModelConfig({ kind: 'dense', inputDim: 6, hidden: [4], latentDim: 2 }), new Rng(1));

function configSeeds(): Uint8Array[] {
  const ds = makeDataset({ x: Float32Array.from({ length: 18 }, (_, i) => i / 7), sampleShape: [6], source: 'seed' });
  const base = { model: small(), sampleShape: [6], normalizer: null };
  const run = parseRunConfig({ model: { kind: 'dense', inputDim: 6, hidden: [4], latentDim: 2 } });
  return [
    json(modelConfigJson(base)),
    json(modelConfigJson({ ...base, normalizer: fitNormalizer('standard', ds), run })),
    json(modelConfigJson({ model: createModel(parseModelConfig({ kind: 'dense', inputDim: 4, hidden: [3, 2], latentDim: 1, tiedWeights: true, loss: 'mse', outputActivation: 'linear' }), new Rng(2)), sampleShape: [2, 2], normalizer: null })),
  ];
}

export const configJson: FuzzTarget<Autoencoder> = {
  name: 'config-json',
  ext: '.json',
  seeds: configSeeds,
  tokens: ['"format"', '"aekit-model"', '"formatVersion"', '"model"', '"kind"', '"dense"', '"inputDim"', '"hidden"', '"latentDim"', '"data"', '"sampleShape"', '"normalizer"', '"offset"', '"scale"', '"run"', 'null', '1e309', '-1', '4294967296', '[]', '{}'],
  run: (_bytes, path) => createModel(readModelConfigFile(path).model, new Rng(0)),
  check: (model) => (model.numParameters() > 0 ? null : 'a model without parameters'),
  // A valid config of a few hundred bytes may describe a model of up to 2^30 parameters; keep that out of the memory bound.
  maxExpansion: 2 ** 20,
};

function runSeeds(): Uint8Array[] {
  const rec: RunRecord = newRunRecord(10);
  return [
    json(rec),
    json({ ...rec, status: 'finished', epochsDone: 10, checkpoint: 'checkpoints/epoch-0010' }),
    json({ ...rec, status: 'diverged', epochsDone: 3, checkpoint: 'checkpoints/epoch-0003', message: 'runaway loss at epoch 4, step 40' }),
  ];
}

export const runJson: FuzzTarget<RunRecord> = {
  name: 'run-json',
  ext: '.json',
  seeds: runSeeds,
  tokens: ['"status"', '"running"', '"finished"', '"checkpoint"', '"checkpoints/epoch-0001"', '"../../etc"', '"epochsDone"', '"epochs"', 'null', '-1', '1.5'],
  run: (_bytes, path) => readRunFile(path),
  check: (r) => {
    if (r.checkpoint !== null && !/^checkpoints\/epoch-\d{4,}$/.test(r.checkpoint)) return `checkpoint ${JSON.stringify(r.checkpoint)} escapes the run directory`;
    return Number.isSafeInteger(r.epochsDone) && r.epochsDone >= 0 ? null : `epochsDone ${r.epochsDone}`;
  },
};

function stateSeeds(): Uint8Array[] {
  const one: TrainState = { ...freshState(), epochsDone: 1, step: 12, bestValLoss: 0.5, bestEpoch: 0, firstLoss: 0.7, history: [{ epoch: 0, trainLoss: 0.6, valLoss: 0.5, lr: 1e-3, seconds: 0.1, samplesPerSec: 1000 }] };
  return [json(freshState()), json(one), json({ ...one, schedule: { best: 0.5, bad: 1, lr: 1e-3 }, stopped: true })];
}

export const stateJson: FuzzTarget<TrainState> = {
  name: 'state-json',
  ext: '.json',
  seeds: stateSeeds,
  tokens: ['"epochsDone"', '"step"', '"history"', '"stopped"', '"bestValLoss"', '"firstLoss"', 'true', 'null', '"abc"', '-1', '1e309'],
  run: (_bytes, path) => parseTrainState(readJsonObject(path, 'trainer state'), path),
  check: (s) => (s.history.length === s.epochsDone ? null : `${s.history.length} history records for ${s.epochsDone} epochs`),
};

/** A fixed model and an Adam that has taken one step on it: the optimizer file's seed and its reader's context. */
function adamContext(): { model: Autoencoder; optimizer: Optimizer } {
  const model = small();
  const optimizer = createOptimizer({ kind: 'adam', lr: 1e-3 });
  const grads = new Map(model.parameters().map((p) => [p, tensor(Float32Array.from({ length: p.size }, (_, i) => Math.sin(i)), p.shape)]));
  optimizer.step(model.parameters(), grads);
  return { model, optimizer };
}

function optimizerSeeds(): Uint8Array[] {
  const { buffers, ...meta } = adamContext().optimizer.stateDict();
  const tensors = Object.fromEntries(Object.entries(buffers).map(([k, b]) => [k, safetensor(b.shape, Float32Array.from(b.data))]));
  return [serializeSafetensors(tensors, { optimizer: JSON.stringify(meta) })];
}

export const optimizerFile: FuzzTarget<Optimizer> = {
  name: 'optimizer-file',
  ext: '.safetensors',
  seeds: optimizerSeeds,
  tokens: ['exp_avg', 'exp_avg_sq', 'step', '"kind"', '"adam"', '"sgd"', '"lr"', 'encoder.layers.0.weight', 'F32', 'F64'],
  run: (_bytes, path) => {
    const { model, optimizer } = adamContext();
    loadOptimizerFile(path, optimizer, model);
    return optimizer;
  },
  check: (o) => (o.stateDict().kind === 'adam' ? null : 'the loaded state is not Adam'),
};
