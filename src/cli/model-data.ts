/**
 * What the commands that use a trained model share: the input flags, reading data for a model
 * (its own data read as it was in training), class labels from --class, and writing a matrix of
 * results as NPY or CSV. Used by eval/encode/decode/reconstruct/sample and by the applications
 * (reduce, features, generate, denoise, anomaly).
 */
import { basename } from 'node:path';
import { writeCsv, writeNpy, type Dataset } from '../data/index.js';
import type { LoadedModel } from '../io/model-dir.js';
import type { Labels } from '../models/index.js';
import { dataSchema, type DataConfig } from '../train/config.js';
import { integer, parseConfig, type Field } from '../util/schema.js';
import { defaultData, loadInput, printJson, type Io } from './common.js';
import { InputError, UsageError } from './errors.js';
import { nullable, opt, string } from './flags.js';

export const DATA = opt('data', nullable(string("input: 'mnist:test', a .csv, .npy or IDX file, or a folder of PNG/JPEG images, read at the model's sample shape (default: the model's test data)", '')), 'Input');
export const LABEL = opt('label-column', nullable(string("CSV label column to leave out of the features (default: the one the model was trained with, for its own data)", '')), 'Input');
export const HEADER = opt('header', dataSchema.header as Field<unknown>, 'Input');
export const LIMIT = opt('limit', nullable(integer('use only the first N samples', 0, { min: 1 })), 'Input');
export const OUT = opt('out', nullable(string('output file: .npy or .csv', '')), 'Output');
export const BATCH = opt('batch-size', integer('samples per batch', 1000, { min: 1 }), 'Engine');
export const CLASS = opt('class', nullable(integer('the class of every output (class-conditional models such as cvae; 0 to numClasses - 1)', 0, { min: 0 })), 'Conditioning');

export type Options = Map<string, unknown>;

export interface ReadOptions {
  /** Leave the values in the data's units instead of applying the model's normalisation. */
  normalize?: boolean;
  /** Rows to read (default: --limit). */
  limit?: number | null;
}

/**
 * Read `spec` (default --data, else the model's test data) for model `m`: the label column and
 * header from the flags, or as in training for the model's own data, which is also binarised as
 * it was in training (the same fixed draws).
 */
export function readModelData(m: LoadedModel, o: Options, spec: string = (o.get('data') as string | null | undefined) ?? defaultData(m), ro: ReadOptions = {}): Dataset {
  const recorded = recordedData(m);
  const mnist = recorded?.dataset === 'mnist' && spec.startsWith('mnist');
  const own = recorded !== null && (spec === recorded.dataset || spec === recorded.testDataset || mnist);
  const labelColumn = (o.get('label-column') as string | null | undefined) ?? (own ? recorded.labelColumn : null);
  const header = (o.get('header') as DataConfig['header'] | undefined) ?? (own ? recorded.header : 'auto');
  const split = spec === 'mnist:test' || (spec === recorded?.testDataset && !mnist) ? 'test' : 'train';
  const binarize = own && recorded.binarize !== 'none' ? split : null;
  const limit = ro.limit !== undefined ? ro.limit : ((o.get('limit') as number | null | undefined) ?? null);
  return loadInput(spec, m, { labelColumn, header, limit, binarize, normalize: ro.normalize ?? true });
}

/** The input data as the user named it ('mnist:test', a file name without its folders), for pictures' titles. */
export function dataName(o: Options, m: LoadedModel): string {
  return basename((o.get('data') as string | null | undefined) ?? defaultData(m));
}

/** The data set the model was trained on ('mnist' read as its training split), or null when the model does not record it. */
export function trainingDataSpec(m: LoadedModel): string | null {
  const recorded = recordedData(m);
  if (recorded === null) return null;
  return recorded.dataset === 'mnist' ? 'mnist:train' : recorded.dataset;
}

/** The data section of the run that trained `m`, when it records one. */
export function recordedData(m: LoadedModel): DataConfig | null {
  const run = m.config.run as { data?: unknown } | undefined;
  if (run?.data === undefined) return null; // parsing nothing would give the defaults (MNIST), as if recorded
  try {
    return parseConfig(dataSchema, run?.data, 'data');
  } catch {
    return null;
  }
}

/** n labels of the class --class names, or null without it; refused for a model with no classes, and for a class it lacks. */
export function classLabels(m: LoadedModel, o: Options, n: number): Labels | null {
  const k = o.get('class') as number | null | undefined;
  if (k === null || k === undefined) return null;
  const c = m.model.conditioning;
  if (c === null) throw new UsageError(`--class: ${m.dir} holds a ${m.model.kind} model, which is not conditioned on a class (train one with --model cvae)`);
  if (k >= c.numClasses) throw new UsageError(`--class ${k}: the model's classes are 0 to ${c.numClasses - 1}`);
  return new Int32Array(n).fill(k);
}

/** Check that --out names a .npy or .csv file (before any work is done); null when --out is not given. */
export function matrixOut(o: Options): string | null {
  const out = o.get('out') as string | null | undefined;
  if (!out) return null;
  if (!/\.(npy|csv)$/i.test(out)) throw new UsageError(`--out ${out}: use a .npy or .csv file name`);
  return out;
}

/** Write (n, width) values to `path` as NPY or CSV (columns named prefix0, prefix1, …), refusing NaN/Inf. */
export function writeMatrixFile(path: string, values: Float32Array, n: number, width: number, prefix: string): void {
  checkFiniteOutput(values, width);
  if (path.toLowerCase().endsWith('.csv')) writeCsv(path, { data: values, cols: width }, Array.from({ length: width }, (_, i) => `${prefix}${i}`));
  else writeNpy(path, values, [n, width]);
}

/** Write the result to --out (required) and say so (JSON with --json). */
export function writeMatrix(o: Options, io: Io, values: Float32Array, n: number, width: number, prefix: string): number {
  const out = matrixOut(o);
  if (!out) throw new UsageError('--out FILE.npy (or .csv) is required');
  writeMatrixFile(out, values, n, width, prefix);
  if (o.get('json') === true) printJson(io, { out, rows: n, cols: width });
  else if (o.get('quiet') !== true) io.out.write(`wrote ${n} × ${width} to ${out}\n`);
  return 0;
}

/** Refuse to write NaN/Inf results: finite weights and inputs overflow only when inputs are far outside the training range. */
function checkFiniteOutput(values: Float32Array, width: number): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]!)) continue;
    const row = Math.floor(i / width) + 1;
    throw new InputError(`the result for input row ${row} is ${values[i]} (not finite): that input lies far outside the range the model was trained on; nothing was written`);
  }
}
