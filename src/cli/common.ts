/** Helpers shared by the commands: backend choice, model loading, data input and result output. */
import { registerBuiltinBackends } from '../backends/index.js';
import { backendFallbackNotes, setBackend, type Backend } from '../core/index.js';
import { checkFinite, type Dataset } from '../data/index.js';
import { loadModelDir, type LoadedModel } from '../io/model-dir.js';
import { labelProblem, registerBuiltinModels } from '../models/index.js';
import { binarize, loadDataset, type LoadOptions } from '../train/data-setup.js';
import { chooseWeights } from '../train/run-dir.js';
import { classify, InputError, UsageError } from './errors.js';

export interface Io {
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}

/** Select the backend (a name already checked by its schema field) and size its pool (0: one thread per core). */
export async function useBackend(name: string, threads: number, io: Io, quiet: boolean): Promise<Backend> {
  registerBuiltinBackends();
  let be: Backend;
  try {
    be = await setBackend(name);
  } catch (err) {
    throw new UsageError(`backend '${name}' is not available: ${(err as Error).message}`);
  }
  if (threads > 0) be.setThreads?.(threads);
  if (name === 'auto' && backendFallbackNotes().length && !quiet) io.err.write(`aekit: ${backendFallbackNotes().join('; ')}; using '${be.name}'\n`);
  return be;
}

/**
 * Load the trained model in `dir`: a finished run or model directory as it is; an unfinished run
 * through its last checkpoint, saying so on stderr; a run with no checkpoint is refused.
 */
export function loadModel(dir: string | undefined, command: string, io: Io, quiet = false): LoadedModel {
  if (!dir) throw new UsageError(`aekit ${command} needs a model directory (see aekit ${command} --help)`);
  registerBuiltinModels();
  return classify(InputError, () => {
    const { dir: weights, note } = chooseWeights(dir);
    if (note !== null && !quiet) io.err.write(`aekit ${command}: note: ${note}\n`);
    return { ...loadModelDir(weights), dir };
  });
}

/**
 * Read input data for a loaded model, check its width (and its labels, for a conditional model),
 * binarise it as training did (`binarize` names the split whose fixed draws to use) and apply the
 * model's normalisation (unless `normalize` is false), in that order.
 */
export function loadInput(spec: string, m: LoadedModel, opts: Omit<LoadOptions, 'split'> & { binarize?: 'train' | 'test' | null; normalize?: boolean } = {}): Dataset {
  const { binarize: split, normalize = true, ...load } = opts;
  const ds = classify(InputError, () => {
    const d = loadDataset(spec, { ...imageShape(m.config.data.sampleShape), ...load, split: 'test' });
    checkFinite(d);
    if (split) binarize(d, split);
    return d;
  });
  const dim = m.model.config.inputDim;
  if (ds.dim !== dim) throw new InputError(`${ds.source} has ${ds.dim} features per sample but the model expects ${dim}`);
  const problem = labelProblem(m.model, ds.labels);
  if (problem) throw new InputError(`${ds.source}: ${problem}${ds.labels ? '' : ' (a CSV gives them with --label-column, an image folder with one folder per class)'}`);
  if (m.normalizer && normalize) m.normalizer.apply(ds);
  return ds;
}

/** Image folders are read at the model's sample shape (channels, height, width), when it has one. */
function imageShape(shape: readonly number[]): Pick<LoadOptions, 'channels' | 'imageSize'> {
  const [c, h, w] = shape;
  if (shape.length !== 3 || (c !== 1 && c !== 3)) return {};
  return { channels: c, imageSize: { width: w!, height: h! } };
}

/** Default input for commands on a model trained on MNIST: its test split. */
export function defaultData(m: LoadedModel): string {
  const run = m.config.run as { data?: { dataset?: string; testDataset?: string | null } } | undefined;
  const ds = run?.data?.dataset;
  if (ds === 'mnist') return 'mnist:test';
  if (run?.data?.testDataset) return run.data.testDataset;
  if (ds) return ds;
  throw new UsageError('no --data given and the model does not record its data set');
}

export function printJson(io: Io, value: unknown): void {
  io.out.write(JSON.stringify(value, null, 2) + '\n');
}
