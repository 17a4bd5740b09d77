/**
 * aekit generate (alias: aekit sample): new data from a VAE's prior, or the path between the codes
 * of two input rows, as NPY/CSV and a PNG grid.
 */
import { interpolate, interpolationStrip, priorProblem, samplePrior, sampleGrid, type Interpolation } from '../../apps/generate.js';
import type { LoadedModel } from '../../io/model-dir.js';
import { writeFileAtomic } from '../../util/atomic.js';
import * as z from 'zod';
import { field, integer, oneOf, type Field } from '../../util/schema.js';
import { printJson, type Io } from '../common.js';
import { EXIT, InputError, UsageError } from '../errors.js';
import { nullable, opt, string } from '../flags.js';
import { CLASS, DATA, dataName, HEADER, LABEL, matrixOut, readModelData, writeMatrixFile, classLabels, type Options } from '../model-data.js';
import type { ModelCommand } from '../model-command.js';

/** Two row numbers, counted from 1: '3,7' (or '3 7', which the command line gives as two words). */
const rowNumber = z.number().int().min(1);
const rowPair: Field<[number, number] | null> = field(
  z.tuple([rowNumber, rowNumber]).nullable(),
  'interpolate between the codes of input rows I and J (counted from 1, as aekit counts rows) instead of sampling the prior; works with any autoencoder',
  null, 'I J',
  (text) => {
    const m = /^\s*(\d+)\s*[, ]\s*(\d+)\s*$/.exec(text);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`'${text}' is not two row numbers: give --between I J (rows counted from 1)`);
    return [Number(m[1]), Number(m[2])];
  },
);

const PRIOR_ONLY = ['n', 'seed'];
const BETWEEN_ONLY = ['steps', 'interp', 'data', 'label-column', 'header'];

export const generateCommand: ModelCommand = {
  usage: 'aekit generate MODEL_DIR [--n 64] [--seed 1] [--class K] | --between I J [--steps 10] [--interp linear|slerp] [--data FILE]; --out FILE.npy|.csv and/or --png grid.png',
  description: "New data in the data's units. By default, draws from a generative model's prior (a VAE: z ~ N(0, I), decoded; a conditional VAE draws class --class K, or sample i of class i mod numClasses, one class per column of the picture). With --between I J, encodes input rows I and J (a VAE: their posterior means) and decodes --steps points on the path between the two codes, straight (linear) or along the great circle (slerp); the picture puts the two inputs at the ends. `aekit sample` is the same command.",
  flags: [
    opt('n', integer('how many samples from the prior', 64, { min: 1, max: 100_000 }), 'Sampling'),
    opt('seed', integer('seed of the draws from the prior', 1, { min: 0, max: 2 ** 32 - 1 }), 'Sampling'),
    CLASS,
    opt('between', rowPair as Field<unknown>, 'Interpolation'),
    opt('steps', integer('points on the path, both ends included', 10, { min: 2, max: 1000 }), 'Interpolation'),
    opt('interp', oneOf('linear: the straight line; slerp: the great circle, as suits a Gaussian prior (White 2016)', ['linear', 'slerp'] as const, 'linear') as Field<unknown>, 'Interpolation'),
    { ...DATA, field: nullable(string("the rows --between picks from: 'mnist:test', a .csv, .npy or IDX file, or an image folder (default: the model's test data)", '')) },
    LABEL, HEADER,
    opt('out', nullable(string('output file: .npy or .csv (one row per sample or path point)', '')), 'Output'),
    opt('png', nullable(string('also draw the samples or the path as a picture (grey image data)', '')), 'Output'),
  ],
  rewriteArgs: joinBetween,
  run(m, o, io) {
    const between = (o.get('between') as [number, number] | null | undefined) ?? null;
    const clash = (between ? PRIOR_ONLY : BETWEEN_ONLY).find((f) => o.has(f));
    if (clash) throw new UsageError(between ? `--${clash} sets the draws from the prior; with --between there are none` : `--${clash} applies to --between I J (an interpolation)`);
    const out = matrixOut(o);
    const png = (o.get('png') as string | null | undefined) ?? null;
    if (!out && !png) throw new UsageError('--out FILE.npy (or .csv) is required, or --png FILE for the picture alone');
    return between ? interpolation(m, o, io, between, out, png) : prior(m, o, io, out, png);
  },
};

/** `--between 3 7` arrives as two words; the flag parser takes one value per flag, so join them. */
function joinBetween(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [a, b] = [argv[i + 1], argv[i + 2]];
    if (argv[i] === '--between' && a !== undefined && b !== undefined && /^\d+$/.test(a) && /^\d+$/.test(b)) {
      out.push(`--between=${a},${b}`);
      i += 2;
    } else out.push(argv[i]!);
  }
  return out;
}

/** The same command under its older name. */
export const sampleCommand: ModelCommand = {
  ...generateCommand,
  usage: generateCommand.usage.replace('aekit generate', 'aekit sample'),
  description: `An alias of aekit generate. ${generateCommand.description}`,
};

function prior(m: LoadedModel, o: Options, io: Io, out: string | null, png: string | null): number {
  const problem = priorProblem(m.model);
  if (problem) throw new UsageError(`${m.dir} holds a ${m.model.kind} model, which has no prior to sample from (train one with --model vae); --between I J interpolates between two rows' codes with any model`);
  const n = (o.get('n') as number | undefined) ?? 64;
  const labels = classLabels(m, o, n);
  const x = samplePrior(m.model, n, (o.get('seed') as number | undefined) ?? 1, labels, m.normalizer);
  const grid = png ? sampleGrid(m.model, m.config.data.sampleShape, x, n, labels?.[0] ?? null) : null;
  if (png && !grid) throw new UsageError(`--png: the model's samples of shape [${m.config.data.sampleShape.join(', ')}] are not grey images`);
  if (out) writeMatrixFile(out, x, n, m.model.config.inputDim, 'x');
  if (png) writeFileAtomic(png, grid!);
  return report(o, io, { mode: 'prior', rows: n, cols: m.model.config.inputDim, out, png });
}

function interpolation(m: LoadedModel, o: Options, io: Io, [i, j]: [number, number], out: string | null, png: string | null): number {
  const ds = readModelData(m, o, undefined, { limit: Math.max(i, j) });
  for (const r of [i, j]) if (r > ds.n) throw new InputError(`--between ${i} ${j}: ${ds.source} has ${ds.n.toLocaleString('en-US')} rows`);
  const row = (r: number): Float32Array => ds.x.slice((r - 1) * ds.dim, r * ds.dim);
  const ends: [Float32Array, Float32Array] = [row(i), row(j)];
  const endLabels: [number, number] | null = m.model.conditioning && ds.labels ? [ds.labels[i - 1]!, ds.labels[j - 1]!] : null;
  const asked = classLabels(m, o, 1)?.[0] ?? null; // refuses --class for a model without classes
  const decodeClass = endLabels ? (asked ?? endLabels[0]) : null;
  const steps = (o.get('steps') as number | undefined) ?? 10;
  const method = (o.get('interp') as Interpolation | undefined) ?? 'linear';
  const r = interpolate(m.model, ends, ds.sampleShape, { steps, method, endLabels, decodeClass, normalizer: m.normalizer });
  if (png) {
    const shown = ends.map((e) => (m.normalizer ? m.normalizer.invert(Float32Array.from(e)) : e)) as [Float32Array, Float32Array];
    const title = `rows ${i} and ${j} of ${dataName(o, m)} (ends), ${steps} ${method} steps between their codes${decodeClass === null ? '' : `, decoded as class ${decodeClass}`}`;
    const strip = interpolationStrip(ds.sampleShape, shown, r.x, steps, title);
    if (!strip) throw new UsageError(`--png: samples of shape [${ds.sampleShape.join(', ')}] are not grey images`);
    writeFileAtomic(png, strip);
  }
  if (out) writeMatrixFile(out, r.x, steps, ds.dim, 'x');
  return report(o, io, { mode: method, rows: steps, cols: ds.dim, out, png, between: [i, j], ...(decodeClass === null ? {} : { decodedAsClass: decodeClass }) });
}

function report(o: Options, io: Io, r: { mode: string; rows: number; cols: number; out: string | null; png: string | null } & Record<string, unknown>): number {
  if (o.get('json') === true) printJson(io, r);
  else if (o.get('quiet') !== true) io.out.write(`${r.out ? `wrote ${r.rows} × ${r.cols} to ${r.out}` : `drew ${r.rows} ${r.mode === 'prior' ? 'samples' : 'points of the path'}`}${r.png ? ` and the picture ${r.png}` : ''}\n`);
  return EXIT.ok;
}
