/** Helpers shared by the commands: backend choice, model loading, data input and result output. */
import { registerBuiltinBackends } from '../backends/index.js';
import { backendFallbackNotes, setBackend, type Backend } from '../core/index.js';
import type { Dataset } from '../data/index.js';
import { loadModelDir, type LoadedModel } from '../io/model-dir.js';
import { registerBuiltinModels } from '../models/index.js';
import { loadDataset } from '../train/data-setup.js';
import { asInput, InputError, UsageError } from './errors.js';

export interface Io {
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}

export async function useBackend(name: string, threads: string | null, io: Io, quiet: boolean): Promise<Backend> {
  registerBuiltinBackends();
  if (!['auto', 'native', 'reference'].includes(name)) throw new UsageError(`--backend: '${name}' is not one of auto, native, reference`);
  let be: Backend;
  try {
    be = await setBackend(name);
  } catch (err) {
    throw new UsageError(`backend '${name}' is not available: ${(err as Error).message}`);
  }
  if (threads !== null) {
    const n = Number(threads);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--threads: "${threads}" is not a whole number`);
    be.setThreads?.(n);
  }
  if (name === 'auto' && backendFallbackNotes().length && !quiet) io.err.write(`aekit: ${backendFallbackNotes().join('; ')}; using '${be.name}'\n`);
  return be;
}

export function loadModel(dir: string | undefined, command: string): LoadedModel {
  if (!dir) throw new UsageError(`aekit ${command} needs a model directory (see aekit ${command} --help)`);
  registerBuiltinModels();
  return asInput(() => loadModelDir(dir));
}

/** Read input data for a loaded model, check its width and apply the model's normalisation. */
export function loadInput(spec: string, m: LoadedModel, labelColumn: string | null, limit: number | null = null): Dataset {
  const ds = asInput(() => loadDataset(spec, { split: 'test', labelColumn, limit }));
  const dim = m.model.config.inputDim;
  if (ds.dim !== dim) throw new InputError(`${ds.source} has ${ds.dim} features per sample but the model expects ${dim}`);
  for (let i = 0; i < ds.x.length; i++) {
    if (!Number.isFinite(ds.x[i]!)) throw new InputError(`${ds.source}: row ${Math.floor(i / ds.dim) + 1}, column ${(i % ds.dim) + 1} is ${ds.x[i]} (NaN and Inf are not valid inputs)`);
  }
  if (m.normalizer) m.normalizer.apply(ds);
  return ds;
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
