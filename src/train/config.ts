/**
 * The run configuration: model, data, optimizer and training loop. Every section is a schema, so
 * the resolved config is validated, saved with every run, and drives the CLI flags and docs.
 */
import { modelConfigZod, parseModelConfig, type ModelConfigBase, type FlagTable } from '../models/index.js';
import { optimizerSchema, type OptimizerSettings } from '../nn/optim/config.js';
import {
  boolean, configZod, integer, integerOneOf, jsonSchemaOf, nullable, number, oneOf, parseConfig, size2d, string, z, type Schema, type Size2d,
} from '../util/schema.js';

export interface DataConfig {
  /** 'mnist' (bundled), a file (.csv, .npy, or an IDX image file), or a folder of PNG/JPEG images. */
  dataset: string;
  labelColumn: string | null;
  /** Whether a CSV's first line is a header: 'auto' (detected; see readCsv), 'yes' or 'no'. */
  header: 'auto' | 'yes' | 'no';
  testDataset: string | null;
  normalize: 'none' | 'minmax' | 'standard';
  valFraction: number;
  limit: number | null;
  /**
   * 'stochastic': each value in [0, 1] becomes 1 with that probability, drawn once with a fixed seed
   * (binarised MNIST). 'dynamic': training batches are drawn afresh every epoch from (seed, epoch);
   * validation and test data are drawn once, as with 'stochastic'.
   */
  binarize: 'none' | 'stochastic' | 'dynamic';
  /** Image folders: 1 (grey; colour converted with the BT.601 luma weights) or 3 (RGB; grey repeated). */
  channels: 1 | 3;
  /** Image folders: the size every image is resized to; null takes the first image's. */
  imageSize: Size2d | null;
  /** Train on the training and the test data together (keras.io's VAE does); the test figures are then not held out. */
  trainOnTest: boolean;
}

export const dataSchema: Schema<DataConfig> = {
  dataset: string("'mnist' (bundled), a path to a .csv, .npy or IDX file, or a folder of PNG/JPEG images (subfolders: class labels)", 'mnist'),
  labelColumn: nullable(string('CSV column holding labels (excluded from features): a header name, else a 0-based index', '')),
  header: oneOf("CSV first line is a header: auto (when a field is not a number, or the fields are 0..n-1 or 1..n), yes, or no", ['auto', 'yes', 'no'] as const, 'auto'),
  testDataset: nullable(string('test data: as --data (default: MNIST test set for mnist, none otherwise)', '')),
  normalize: oneOf('per-feature normalisation, fitted on the training split', ['none', 'minmax', 'standard'] as const, 'none'),
  valFraction: number('fraction of training data held out for validation', 0.1, { min: 0, max: 0.9 }),
  limit: nullable(integer('use only the first N training samples', 0, { min: 1 })),
  binarize: oneOf('stochastic: each value in [0, 1] becomes 1 with that probability, drawn once with a fixed seed (train and test differ); dynamic: training batches drawn afresh every epoch (seeded by --seed), test and validation drawn once', ['none', 'stochastic', 'dynamic'] as const, 'none'),
  trainOnTest: boolean('also train on the test data, as keras.io\'s VAE example does (the test figures are then not held out)', false),
  channels: integerOneOf('image folders: 1 grey (colour → luma 0.299 R + 0.587 G + 0.114 B) or 3 RGB (grey repeated)', [1, 3] as const, 1),
  imageSize: nullable(size2d("image folders: resize every image to WIDTHxHEIGHT pixels, area-averaged to shrink, bilinear to grow (default: the first image's size)", { width: 28, height: 28 }, { min: 1, max: 65535 })),
};

/** The most threads a backend pool runs (the native addon's limit). */
export const MAX_THREADS = 64;

export { optimizerSchema, type OptimizerSettings };

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  seed: number;
  backend: string;
  threads: number;
  earlyStopping: number;
  minDelta: number;
  clipNorm: number;
  schedule: 'none' | 'step' | 'cosine' | 'plateau';
  stepSize: number;
  gamma: number;
  warmupSteps: number;
  evalBatchSize: number;
}

export const trainSchema: Schema<TrainConfig> = {
  epochs: integer('passes over the training data', 10, { min: 1, max: 1_000_000 }),
  batchSize: integer('samples per gradient step', 256, { min: 1 }),
  seed: integer('seed for initialisation, shuffling and noise (0 to 2^32 - 1)', 42, { min: 0, max: 2 ** 32 - 1 }),
  backend: oneOf('compute backend', ['auto', 'native', 'wasm', 'reference'] as const, 'auto'),
  threads: integer('native threads (0: one per core)', 0, { min: 0, max: MAX_THREADS }),
  earlyStopping: integer('stop after N epochs without validation improvement (0: off)', 0, { min: 0 }),
  minDelta: number('smallest validation improvement that counts', 0, { min: 0 }),
  clipNorm: number('clip the global gradient norm to this (0: off)', 0, { min: 0 }),
  schedule: oneOf('learning-rate schedule', ['none', 'step', 'cosine', 'plateau'] as const, 'none'),
  stepSize: integer('epochs between decays (step) or patience (plateau)', 10, { min: 1 }),
  gamma: number('decay factor (step, plateau)', 0.1, { positive: true, max: 1 }),
  warmupSteps: integer('raise the learning rate linearly from 0 over the first N steps, then follow the schedule (0: off)', 0, { min: 0 }),
  evalBatchSize: integer('batch size for evaluation', 1000, { min: 1 }),
};

export interface RunConfig {
  model: ModelConfigBase;
  data: DataConfig;
  optimizer: OptimizerSettings;
  train: TrainConfig;
}

export const dataFlags: FlagTable<DataConfig> = {
  dataset: 'data', labelColumn: 'label-column', header: 'header', testDataset: 'test-data', normalize: 'normalize', valFraction: 'val-fraction', limit: 'limit', binarize: 'binarize', trainOnTest: 'train-on-test',
  channels: 'channels', imageSize: 'image-size',
};
export const optimizerFlags: FlagTable<OptimizerSettings> = {
  kind: 'optimizer', lr: 'lr', momentum: 'momentum', beta1: 'beta1', beta2: 'beta2', eps: 'eps', weightDecay: 'weight-decay', alpha: 'alpha',
};
export const trainFlags: FlagTable<TrainConfig> = {
  epochs: 'epochs', batchSize: 'batch-size', seed: 'seed', backend: 'backend', threads: 'threads', earlyStopping: 'early-stopping',
  minDelta: 'min-delta', clipNorm: 'clip-norm', schedule: 'schedule', stepSize: 'step-size', gamma: 'gamma', warmupSteps: 'warmup-steps', evalBatchSize: 'eval-batch-size',
};

/** The whole run configuration (config.json's `run`, or a --config file) as one zod schema. */
export function runConfigZod(): z.ZodObject {
  return z.strictObject({
    $schema: z.string().optional().describe('where this schema is (for editors); ignored'),
    model: modelConfigZod().optional().describe('the autoencoder: its kind and architecture'),
    data: configZod(dataSchema).optional().describe('where the data comes from and how it is prepared'),
    optimizer: configZod(optimizerSchema).optional().describe('the optimizer and its settings'),
    train: configZod(trainSchema).optional().describe('the training loop'),
  });
}

/** JSON Schema (draft 2020-12) of a run configuration, for editors, forms, search spaces and the HTTP API. */
export function runConfigJsonSchema(): Record<string, unknown> {
  return { ...jsonSchemaOf(runConfigZod()), title: 'aekit run configuration' };
}

export function parseRunConfig(input: unknown): RunConfig {
  // "$schema" points editors at docs/config.schema.json; it is not a setting.
  const { $schema: _schema, ...obj } = (input ?? {}) as Record<string, unknown>;
  const known = ['model', 'data', 'optimizer', 'train'];
  for (const k of Object.keys(obj)) if (!known.includes(k)) throw new Error(`config: unknown section '${k}' (known: ${known.join(', ')})`);
  return {
    model: parseModelConfig(obj.model, 'model'),
    data: parseConfig(dataSchema, obj.data, 'data'),
    optimizer: parseConfig(optimizerSchema, obj.optimizer, 'optimizer'),
    train: parseConfig(trainSchema, obj.train, 'train'),
  };
}

/** Named starting points; flags and --config override them. */
export const PRESETS: Record<string, { summary: string; config: Record<string, Record<string, unknown>> }> = {
  default: {
    summary: 'dense AE 784-256-64-32 mirrored, ReLU, sigmoid output, BCE, Adam 1e-3, batch 256',
    config: {},
  },
  'keras-shallow': {
    summary: "784-32-784, ReLU code, sigmoid output, BCE, Glorot init (Chollet's Keras blog, first model); our recipe: batch 16, Adam 8e-3 warmed up linearly over the first 2,000 steps, then cosine decay, 50 epochs on all 60,000 digits",
    config: { model: { kind: 'dense', hidden: [], latentDim: 32, latentActivation: 'relu', outputActivation: 'sigmoid', loss: 'bce', init: 'glorotUniform' }, data: { valFraction: 0 }, optimizer: { kind: 'adam', lr: 8e-3 }, train: { batchSize: 16, epochs: 50, schedule: 'cosine', warmupSteps: 2000 } },
  },
  'keras-deep': {
    summary: "784-128-64-32 mirrored, ReLU (code too), sigmoid output, BCE, Glorot init (TARGETS.md Model A; Chollet's Keras blog); our recipe: Adam 1e-3 with cosine decay, batch 64, 100 epochs on all 60,000 digits",
    config: { model: { kind: 'dense', hidden: [128, 64], latentDim: 32, activation: 'relu', latentActivation: 'relu', outputActivation: 'sigmoid', loss: 'bce', init: 'glorotUniform' }, data: { valFraction: 0 }, optimizer: { kind: 'adam', lr: 1e-3 }, train: { batchSize: 64, epochs: 100, schedule: 'cosine' } },
  },
  'vae-mlp': {
    summary: "VAE 784-400-40, Bernoulli decoder, PyTorch init, MNIST binarised afresh every epoch (test digits drawn once, fixed seed), batch 100, 500 epochs (pythae's reproduction of Rezende & Mohamed 2015); our recipe: Adam 1e-3 decayed by 10^(−1/5) every 200 epochs (pythae: 1e-4, decayed at 200 and 350)",
    config: { model: { kind: 'vae', hidden: [400], latentDim: 40, likelihood: 'bernoulli', init: 'torch' }, data: { binarize: 'dynamic', valFraction: 0 }, optimizer: { kind: 'adam', lr: 1e-3 }, train: { batchSize: 100, epochs: 500, schedule: 'step', stepSize: 200, gamma: 0.631 } },
  },
  'cvae-mnist': {
    summary: "conditional VAE 784+10-256-2, 2+10-256-784, ReLU, Bernoulli decoder, MNIST in [0, 1], Adam 1e-3, batch 128, 10 epochs on all 60,000 digits, PyTorch init (timbmg/VAE-CVAE-MNIST, train.py --conditional)",
    config: { model: { kind: 'cvae', hidden: [256], latentDim: 2, numClasses: 10, likelihood: 'bernoulli', init: 'torch' }, data: { valFraction: 0 }, optimizer: { kind: 'adam', lr: 1e-3 }, train: { batchSize: 128, epochs: 10 } },
  },
  'keras-sparse': {
    summary: "784-32-784 with an L1 activity penalty 1e-5 on the ReLU code, BCE, Adam 1e-3, batch 256, 100 epochs on all 60,000 digits (Chollet's Keras blog, sparse model)",
    config: { model: { kind: 'sparse', hidden: [], latentDim: 32, latentActivation: 'relu', outputActivation: 'sigmoid', loss: 'bce', l1: 1e-5, init: 'glorotUniform' }, data: { valFraction: 0 }, optimizer: { kind: 'adam', lr: 1e-3 }, train: { batchSize: 256, epochs: 100 } },
  },
  'keras-denoising-conv': {
    summary: 'keras.io denoising conv net: Conv32-Pool-Conv32-Pool, two stride-2 ConvTranspose32, Conv1 sigmoid (28,353 parameters), Gaussian noise 0.4 clipped to [0, 1], BCE, Adam 1e-3, batch 128, 100 epochs on all 60,000 digits',
    config: {
      model: {
        kind: 'denoising', body: 'conv', noise: 'gaussian', noiseLevel: 0.4, noiseClip: true, loss: 'bce', outputActivation: 'sigmoid', init: 'glorotUniform',
        encoder: ['conv(32,3,relu,same)', 'maxpool(2,same)', 'conv(32,3,relu,same)', 'maxpool(2,same)'],
        decoder: ['convt(32,3,s2,relu,same)', 'convt(32,3,s2,relu,same)', 'conv(1,3,same)'],
      },
      data: { valFraction: 0 }, optimizer: { kind: 'adam', lr: 1e-3 }, train: { batchSize: 128, epochs: 100, evalBatchSize: 250 },
    },
  },
  'vae-conv-2d': {
    summary: 'keras.io conv VAE, latent 2: Conv32/s2-Conv64/s2-Dense16 encoder, Dense 3136-ConvT64/s2-ConvT32/s2-ConvT1 decoder, Bernoulli (BCE summed over pixels) + KL, Glorot init, batch 128, 30 epochs on all 70,000 digits (train + test, as keras.io; the test figures are then not held out); our recipe: Adam 3e-3 (ε 1e-7 as in Keras) warmed up linearly over the first 1,000 steps, then cosine decay (keras.io: Adam 1e-3, constant)',
    config: {
      model: {
        kind: 'vae', body: 'conv', latentDim: 2, likelihood: 'bernoulli', init: 'glorotUniform',
        encoder: ['conv(32,3,s2,relu,same)', 'conv(64,3,s2,relu,same)', 'flatten', 'dense(16,relu)'],
        decoder: ['dense(3136,relu)', 'reshape(64,7,7)', 'convt(64,3,s2,relu,same)', 'convt(32,3,s2,relu,same)', 'convt(1,3,same)'],
      },
      data: { valFraction: 0, trainOnTest: true }, optimizer: { kind: 'adam', lr: 3e-3, eps: 1e-7 }, train: { batchSize: 128, epochs: 30, schedule: 'cosine', warmupSteps: 1000, evalBatchSize: 250 },
    },
  },
  hinton2006: {
    summary: '784-1000-500-250-30 mirrored (Hinton & Salakhutdinov 2006), ReLU, linear code, sigmoid output trained with cross-entropy as their fine-tuning was; our recipe: decoder tied to the encoder (as their unrolled RBMs began), AdamW 1e-3 with decoupled weight decay 0.1 and cosine decay, batch 256, 100 epochs on all 60,000 digits; scored by squared error per test image',
    config: {
      model: { kind: 'dense', hidden: [1000, 500, 250], latentDim: 30, activation: 'relu', latentActivation: 'linear', outputActivation: 'sigmoid', loss: 'bce', tiedWeights: true },
      data: { valFraction: 0 }, optimizer: { kind: 'adamw', lr: 1e-3, weightDecay: 0.1 }, train: { batchSize: 256, epochs: 100, schedule: 'cosine' },
    },
  },
};

/** Deep-merge plain objects (arrays and scalars replace). */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? mergeConfig(b, v) : v;
  }
  return out;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


