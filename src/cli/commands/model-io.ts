/**
 * aekit eval | encode | decode | reconstruct: use a trained model directory on data.
 * They share flag handling, model loading and output writing, so they live together.
 */
import { noGrad, Rng, tidy, type Tensor } from '../../core/index.js';
import { loadNpy, readCsv, writeCsv, writeNpy, type Dataset } from '../../data/index.js';
import type { LoadedModel } from '../../io/model-dir.js';
import type { Labels } from '../../models/index.js';
import { evaluateReconstruction } from '../../train/evaluate.js';
import { imageRows, imageSize, reconstructionGrid } from '../../train/pictures.js';
import { forEachBatch } from '../../train/trainer.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { dataSchema, type DataConfig } from '../../train/config.js';
import { integer, parseConfig, type Field } from '../../util/schema.js';
import { quoted } from '../../util/text.js';
import { formatHelp, parseArgs, type FlagSpec } from '../args.js';
import { defaultData, loadInput, loadModel, printJson, useBackend, type Io } from '../common.js';
import { EXIT, InputError, UsageError } from '../errors.js';
import { BACKEND_FLAGS, COMMON_FLAGS, nullable, opt, string } from '../flags.js';

const DATA = opt('data', nullable(string("input: 'mnist:test', a .csv, .npy or IDX file, or a folder of PNG/JPEG images, read at the model's sample shape (default: the model's test data)", '')), 'Input');
const LABEL = opt('label-column', nullable(string("CSV label column to leave out of the features (default: the one the model was trained with, for its own data)", '')), 'Input');
const HEADER = opt('header', dataSchema.header as Field<unknown>, 'Input');
const LIMIT = opt('limit', nullable(integer('use only the first N samples', 0, { min: 1 })), 'Input');
const OUT = opt('out', nullable(string('output file: .npy or .csv', '')), 'Output');
const BATCH = opt('batch-size', integer('samples per batch', 1000, { min: 1 }), 'Engine');
const CLASS = opt('class', nullable(integer('the class of every output (class-conditional models such as cvae; 0 to numClasses - 1)', 0, { min: 0 })), 'Conditioning');

interface Cmd {
  usage: string;
  description: string;
  flags: FlagSpec[];
  run(m: LoadedModel, o: Map<string, unknown>, io: Io): number;
}

const COMMANDS: Record<string, Cmd> = {
  eval: {
    usage: 'aekit eval MODEL_DIR [--data FILE] [--nll-samples K] [--json]',
    description: 'Reconstruction metrics of a trained model: MSE and BCE per feature, squared error per sample; for a VAE, --nll-samples K adds the importance-sampled negative log-likelihood (for a conditional VAE, of x given its label: −log p(x | y)).',
    flags: [DATA, LABEL, HEADER, LIMIT, BATCH, opt('nll-samples', nullable(integer('importance samples per input for the NLL estimate (VAE, CVAE)', 0, { min: 1, max: 100_000 })), 'Metrics')],
    run(m, o, io) {
      const ds = input(m, o);
      const k = (o.get('nll-samples') as number | null | undefined) ?? null;
      if (k !== null && !m.model.logLikelihood) throw new UsageError(`--nll-samples: ${m.dir} holds a ${m.model.kind} model, which has no density to estimate (train one with --model vae)`);
      const r = evaluateReconstruction(m.model, ds, batchSize(o));
      const nll = k === null ? null : negativeLogLikelihood(m, ds, k, batchSize(o));
      if (o.get('json') === true) printJson(io, { data: ds.source, ...r, ...(nll === null ? {} : { nll, nllSamples: k }) });
      else io.out.write(`${ds.source}: ${r.n} samples  loss ${r.loss.toFixed(5)}  MSE/feature ${r.mse.toFixed(5)}  BCE/feature ${r.bce === null ? 'n/a' : r.bce.toFixed(5)}  squared error/sample ${r.sqErrPerImage.toFixed(3)}${nll === null ? '' : `  NLL (${k} samples) ${nll.toFixed(2)} nats`}\n`);
      return EXIT.ok;
    },
  },
  encode: {
    usage: 'aekit encode MODEL_DIR --data FILE --out codes.npy|codes.csv',
    description: 'Latent codes (one row per sample) of the input data.',
    flags: [DATA, LABEL, HEADER, LIMIT, OUT, BATCH],
    run(m, o, io) {
      const ds = input(m, o);
      const z = mapBatches(ds, batchSize(o), m.model.config.latentDim, (x, labels) => m.model.encode(x, labels));
      return writeMatrix(o, io, z, ds.n, m.model.config.latentDim, 'z');
    },
  },
  decode: {
    usage: 'aekit decode MODEL_DIR --input codes.npy [--class K] --out samples.npy|samples.csv',
    description: 'Decode latent codes (an NPY or CSV matrix with latentDim columns) back to data space; a class-conditional model decodes every code as the class --class K.',
    flags: [opt('input', nullable(string('latent codes: .npy or .csv', '')), 'Input'), CLASS, OUT, BATCH],
    run(m, o, io) {
      const path = o.get('input') as string | null | undefined;
      if (!path) throw new UsageError('aekit decode needs --input CODES.npy');
      const read = readCodes(path, m.model.config.latentDim);
      const codes = { ...read, labels: classLabels(m, o, read.n) };
      const c = m.model.conditioning;
      if (c && !codes.labels) throw new UsageError(`aekit decode: ${m.dir} holds a ${m.model.kind} model, which decodes a code as a class: pass --class K (0 to ${c.numClasses - 1})`);
      const dim = m.model.config.inputDim;
      const x = mapBatches(codes, batchSize(o), dim, (z, labels) => m.model.decode(z, labels));
      if (m.normalizer) m.normalizer.invert(x);
      return writeMatrix(o, io, x, codes.n, dim, 'x');
    },
  },
  reconstruct: {
    usage: 'aekit reconstruct MODEL_DIR [--data FILE] --out recon.npy [--png grid.png]',
    description: 'Reconstructions of the input data (in its original units); --png draws originals above reconstructions.',
    flags: [DATA, LABEL, HEADER, LIMIT, OUT, opt('png', nullable(string('also write a picture of the first 10 samples', '')), 'Output'), BATCH],
    run(m, o, io) {
      const ds = input(m, o);
      const png = o.get('png') as string | null | undefined;
      if (png) {
        const grid = reconstructionGrid(m.model, ds, 10, m.normalizer ? (v) => m.normalizer!.invert(v) : undefined);
        if (!grid) throw new InputError(`${ds.source}: samples of shape [${ds.sampleShape.join(', ')}] are not grey images, so no picture can be drawn`);
        writeFileAtomic(png, grid);
      }
      const r = mapBatches(ds, batchSize(o), ds.dim, (x, labels) => m.model.reconstruct(x, labels));
      if (m.normalizer) m.normalizer.invert(r);
      if (!o.get('out') && png) return EXIT.ok;
      return writeMatrix(o, io, r, ds.n, ds.dim, 'x');
    },
  },
  sample: {
    usage: 'aekit sample MODEL_DIR [--n 64] [--seed 1] [--class K] --out samples.npy|samples.csv [--png grid.png]',
    description: "New data from a generative model (a VAE): z drawn from the prior N(0, I) and decoded, in the data's units. A class-conditional model (cvae) draws class --class K; without it, sample i is of class i mod numClasses, and --png puts one class in each column.",
    flags: [
      opt('n', integer('how many samples', 64, { min: 1, max: 100_000 }), 'Sampling'),
      opt('seed', integer('seed of the draws from the prior', 1, { min: 0, max: 2 ** 32 - 1 }), 'Sampling'),
      CLASS, OUT, opt('png', nullable(string('also draw the samples as a grid (image data)', '')), 'Output'),
    ],
    run(m, o, io) {
      if (!m.model.sample) throw new UsageError(`${m.dir} holds a ${m.model.kind} model, which has no prior to sample from (train one with --model vae)`);
      const n = (o.get('n') as number | undefined) ?? 64;
      const labels = classLabels(m, o, n);
      const x = tidy(() => Float32Array.from(m.model.sample!(n, new Rng((o.get('seed') as number | undefined) ?? 1), labels).data));
      if (m.normalizer) m.normalizer.invert(x);
      const png = o.get('png') as string | null | undefined;
      if (png) writeFileAtomic(png, sampleGrid(m, x, n, labels?.[0] ?? null));
      if (!o.get('out') && png) return EXIT.ok;
      return writeMatrix(o, io, x, n, m.model.config.inputDim, 'x');
    },
  },
};

/** Samples as rows of 8 grey images, for models of image data; a conditional model's classes in turn, one per column (at most 20). */
function sampleGrid(m: LoadedModel, x: Float32Array, n: number, klass: number | null): Uint8Array {
  const hw = imageSize(m.config.data.sampleShape);
  if (hw === null) throw new UsageError(`--png: the model's samples of shape [${m.config.data.sampleShape.join(', ')}] are not grey images`);
  const c = m.model.conditioning;
  if (c === null) return imageRows(x, n, hw, 8, `${n} samples from the prior`);
  if (klass !== null) return imageRows(x, n, hw, 8, `${n} samples of class ${klass}`);
  return imageRows(x, n, hw, Math.min(c.numClasses, 20), `${n} samples, classes 0 to ${c.numClasses - 1} in turn`);
}

/** n labels of the class --class names, or null without it; refused for a model with no classes, and for a class it lacks. */
function classLabels(m: LoadedModel, o: Map<string, unknown>, n: number): Labels | null {
  const k = o.get('class') as number | null | undefined;
  if (k === null || k === undefined) return null;
  const c = m.model.conditioning;
  if (c === null) throw new UsageError(`--class: ${m.dir} holds a ${m.model.kind} model, which is not conditioned on a class (train one with --model cvae)`);
  if (k >= c.numClasses) throw new UsageError(`--class ${k}: the model's classes are 0 to ${c.numClasses - 1}`);
  return new Int32Array(n).fill(k);
}

export const MODEL_COMMANDS = Object.keys(COMMANDS);

function help(name: string): string {
  const c = COMMANDS[name]!;
  return formatHelp(c.usage, c.description, [...c.flags, ...BACKEND_FLAGS, ...COMMON_FLAGS]);
}

export async function modelCommand(name: string, argv: readonly string[], io: Io): Promise<number> {
  const c = COMMANDS[name]!;
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(help(name));
    return EXIT.ok;
  }
  const { positionals, values } = parseArgs(argv, [...c.flags, ...BACKEND_FLAGS, ...COMMON_FLAGS], name);
  const o = new Map([...values].map(([k, v]) => [k.replace(/^opt\./, ''), v]));
  if (positionals.length > 1) throw new UsageError(`aekit ${name} takes one model directory, got ${positionals.map((p) => quoted(p, 40)).join(' ')}`);
  const quiet = o.get('quiet') === true;
  await useBackend((o.get('backend') as string | undefined) ?? 'auto', (o.get('threads') as number | undefined) ?? 0, io, quiet || o.get('json') === true);
  const m = loadModel(positionals[0], name, io, quiet);
  return noGrad(() => c.run(m, o, io));
}

function input(m: LoadedModel, o: Map<string, unknown>): Dataset {
  const given = o.get('data') as string | null | undefined;
  const spec = given ?? defaultData(m);
  const recorded = recordedData(m);
  const mnist = recorded?.dataset === 'mnist' && spec.startsWith('mnist');
  const own = recorded !== null && (spec === recorded.dataset || spec === recorded.testDataset || mnist);
  const labelColumn = (o.get('label-column') as string | null | undefined) ?? (own ? recorded.labelColumn : null);
  const header = (o.get('header') as DataConfig['header'] | undefined) ?? (own ? recorded.header : 'auto');
  // The model's own data is binarised as it was in training (the same fixed draws).
  const split = spec === 'mnist:test' || (spec === recorded?.testDataset && !mnist) ? 'test' : 'train';
  const binarize = own && recorded.binarize === 'stochastic' ? split : null;
  return loadInput(spec, m, { labelColumn, header, limit: (o.get('limit') as number | null | undefined) ?? null, binarize });
}

/** The data section of the run that trained `m`, when it records one. */
function recordedData(m: LoadedModel): DataConfig | null {
  const run = m.config.run as { data?: unknown } | undefined;
  try {
    return parseConfig(dataSchema, run?.data, 'data');
  } catch {
    return null;
  }
}

/** −mean log p(x) over the data set, k importance samples each (a fixed seed, so the figure repeats). */
function negativeLogLikelihood(m: LoadedModel, ds: Dataset, k: number, batch: number): number {
  const rng = new Rng(1);
  let total = 0;
  forEachBatch(ds, Math.max(1, Math.floor(batch / 4)), (x, _start, labels) => {
    for (const v of m.model.logLikelihood!(x, k, rng, labels)) total += v;
  });
  return -total / ds.n;
}

function batchSize(o: Map<string, unknown>): number {
  return (o.get('batch-size') as number | undefined) ?? 1000;
}

/** Apply `fn` batch by batch (with the batch's labels) and collect its (B, width) outputs into one n × width array. */
function mapBatches(ds: Dataset, batch: number, width: number, fn: (x: Tensor, labels: Labels | null) => Tensor): Float32Array {
  const out = new Float32Array(ds.n * width);
  forEachBatch(ds, batch, (x, start, labels) => tidy(() => out.set(fn(x, labels).data, start * width)));
  return out;
}

function readCodes(path: string, latentDim: number): Dataset {
  let ds: Dataset;
  try {
    ds = path.toLowerCase().endsWith('.csv') ? readCsv(path) : loadNpy(path);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
  if (ds.dim !== latentDim) throw new InputError(`${path} has ${ds.dim} columns but the model's latent code has ${latentDim}`);
  for (const v of ds.x) if (!Number.isFinite(v)) throw new InputError(`${path}: codes must be finite numbers`);
  return ds;
}

function writeMatrix(o: Map<string, unknown>, io: Io, values: Float32Array, n: number, width: number, prefix: string): number {
  const out = o.get('out') as string | null | undefined;
  if (!out) throw new UsageError('--out FILE.npy (or .csv) is required');
  const csv = out.toLowerCase().endsWith('.csv');
  if (!csv && !out.toLowerCase().endsWith('.npy')) throw new UsageError(`--out ${out}: use a .npy or .csv file name`);
  checkFiniteOutput(values, width);
  if (csv) writeCsv(out, { data: values, cols: width }, Array.from({ length: width }, (_, i) => `${prefix}${i}`));
  else writeNpy(out, values, [n, width]);
  if (o.get('json') === true) printJson(io, { out, rows: n, cols: width });
  else if (o.get('quiet') !== true) io.out.write(`wrote ${n} × ${width} to ${out}\n`);
  return EXIT.ok;
}

/** Refuse to write NaN/Inf results: finite weights and inputs overflow only when inputs are far outside the training range. */
function checkFiniteOutput(values: Float32Array, width: number): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]!)) continue;
    const row = Math.floor(i / width) + 1;
    throw new InputError(`the result for input row ${row} is ${values[i]} (not finite): that input lies far outside the range the model was trained on; nothing was written`);
  }
}
