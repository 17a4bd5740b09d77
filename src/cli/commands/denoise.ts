/** aekit denoise: clean noisy inputs with an autoencoder; MSE and PSNR before and after against clean references. */
import { corruptRows, denoise, denoiseGrid, parseNoise, type Noise } from '../../apps/denoise.js';
import { noGrad, Rng, tensor, tidy } from '../../core/index.js';
import type { Dataset } from '../../data/index.js';
import type { LoadedModel } from '../../io/model-dir.js';
import { writeFileAtomic } from '../../util/atomic.js';
import * as z from 'zod';
import { field, integer, oneOf, type Field } from '../../util/schema.js';
import { printJson } from '../common.js';
import { EXIT, InputError, UsageError } from '../errors.js';
import { nullable, opt, string } from '../flags.js';
import { BATCH, DATA, HEADER, LABEL, LIMIT, matrixOut, readModelData, writeMatrixFile, type Options } from '../model-data.js';
import type { ModelCommand } from '../model-command.js';
import { commandProgress } from '../progress.js';

/** 'gaussian:0.5', 'mask:0.3', 'sp:0.1', or 'model' (the denoiser's own training corruption). */
const noiseField: Field<Noise | 'model' | null> = field(
  z.union([z.literal('model'), z.object({ kind: z.enum(['gaussian', 'masking', 'salt-and-pepper']), level: z.number().min(0) })]).nullable(),
  "corrupt the clean --data first, for a demonstration: gaussian:STD, mask:P (values set to 0), sp:P (salt and pepper), or 'model' (the denoiser's own training noise)",
  null, 'KIND:LEVEL',
  (text) => (text === 'model' ? 'model' : parseNoise(text)),
);

export const denoiseCommand: ModelCommand = {
  usage: 'aekit denoise MODEL_DIR [--data FILE] [--noise gaussian:0.5|mask:0.3|sp:0.1|model | --clean FILE] [--out cleaned.npy] [--png denoise.png]',
  description: "Cleans inputs with an autoencoder (a denoiser, or any other as a baseline): each row's reconstruction is its cleaned version, in the data's units. With clean references — --clean FILE holding the same rows without noise, or --noise, which corrupts the clean --data first with the denoising model's corruption code — reports MSE and PSNR (peak: the range of the clean data, 1 for images in [0, 1]) of the noisy input and of the cleaned output against them.",
  flags: [
    DATA, LABEL, HEADER, LIMIT,
    opt('noise', noiseField as Field<unknown>, 'Noise'),
    opt('noise-clip', oneOf('clip corrupted values to [0, 1] (auto: when the clean data lies in [0, 1])', ['auto', 'yes', 'no'] as const, 'auto') as Field<unknown>, 'Noise'),
    opt('seed', integer('seed of the corruption', 1, { min: 0, max: 2 ** 32 - 1 }), 'Noise'),
    opt('clean', nullable(string('clean references: the same rows as --data without noise (.csv, .npy, IDX or an image folder)', '')), 'Noise'),
    opt('out', nullable(string('write the cleaned rows to this .npy or .csv file', '')), 'Output'),
    opt('png', nullable(string('draw noisy / cleaned / clean rows of the first 10 inputs (grey image data)', '')), 'Output'),
    BATCH,
  ],
  run(m, o, io) {
    const noise = (o.get('noise') as Noise | 'model' | null | undefined) ?? null;
    const cleanPath = (o.get('clean') as string | null | undefined) ?? null;
    if (noise && cleanPath) throw new UsageError('--noise corrupts the clean --data itself, --clean gives references for data that is already noisy: use one of them');
    const out = matrixOut(o);
    const png = (o.get('png') as string | null | undefined) ?? null;
    if (!out && !png && !noise && !cleanPath) throw new UsageError('nothing to do: give --out FILE and/or --png FILE for the cleaned rows, and --noise or --clean for MSE and PSNR');
    if (noise === 'model' && !m.model.corrupt) throw new UsageError(`--noise model: ${m.dir} holds a ${m.model.kind} model, which has no training noise of its own; give gaussian:STD, mask:P or sp:P`);
    if (noise === null && o.has('seed')) throw new UsageError('--seed sets the draws of --noise');
    const { input, noisy, clean, what, noise: added } = inputs(m, o, noise, cleanPath);
    const onProgress = commandProgress(o.get('quiet') === true, io.err);
    const r = denoise(m.model, input, { normalizer: m.normalizer, clean, noisyData: noisy, batchSize: (o.get('batch-size') as number | undefined) ?? 1000, ...(onProgress ? { onProgress } : {}) });
    if (out) writeMatrixFile(out, r.cleaned, input.n, input.dim, 'x');
    if (png) {
      const grid = denoiseGrid(input.sampleShape, { noisy, cleaned: r.cleaned, clean });
      if (!grid) throw new UsageError(`--png: samples of shape [${input.sampleShape.join(', ')}] are not grey images`);
      writeFileAtomic(png, grid);
    }
    const denoiser = m.model.corrupt !== undefined;
    if (o.get('json') === true) {
      printJson(io, { data: input.source, rows: input.n, noise: added, denoiser, before: r.before, after: r.after, psnrPeak: r.peak, out, png });
      return EXIT.ok;
    }
    if (o.get('quiet') === true) return EXIT.ok;
    const lines = [`${input.source}: ${input.n.toLocaleString('en-US')} rows${what ? `, ${what}` : ''}${out ? `; cleaned rows written to ${out}` : ''}${png ? `; picture ${png}` : ''}`];
    if (!denoiser) lines.push(`note: a ${m.model.kind} model was not trained to denoise; its reconstructions are a baseline`);
    if (r.before && r.after) {
      lines.push(`${''.padEnd(8)} ${'MSE'.padStart(10)} ${'PSNR (dB)'.padStart(10)}`);
      for (const [name, q] of [['noisy', r.before], ['cleaned', r.after]] as const) lines.push(`${name.padEnd(8)} ${q.mse.toExponential(4).padStart(10)} ${q.psnr.toFixed(2).padStart(10)}`);
      lines.push(`(PSNR peak ${r.peak}: the range of the clean data)`);
    }
    io.out.write(lines.join('\n') + '\n');
    return EXIT.ok;
  },
};

interface Inputs {
  /** The noisy rows in the model's space, with the data's labels. */
  input: Dataset;
  /** The same rows in the data's units. */
  noisy: Float32Array;
  clean: Float32Array | null;
  /** What noise was added, for the report; null when the data came noisy. */
  what: string | null;
  /** The same for --json. */
  noise: { kind: string; level: number | null; seed: number; clip: boolean | null } | null;
}

function inputs(m: LoadedModel, o: Options, noise: Noise | 'model' | null, cleanPath: string | null): Inputs {
  const data = readModelData(m, o, undefined, { normalize: false }); // the data's units
  const toModel = (x: Float32Array): Dataset => {
    const ds = { ...data, x: Float32Array.from(x) };
    return m.normalizer ? m.normalizer.apply(ds) : ds;
  };
  const seed = (o.get('seed') as number | undefined) ?? 1;
  if (noise === 'model') {
    const input = toModel(data.x);
    input.x = noGrad(() => tidy(() => Float32Array.from(m.model.corrupt!(tensor(input.x, [input.n, ...input.sampleShape]), new Rng(seed)).data)));
    const noisy = m.normalizer ? m.normalizer.invert(Float32Array.from(input.x)) : Float32Array.from(input.x);
    return { input, noisy, clean: data.x, what: `the model's own training noise (seed ${seed})`, noise: { kind: 'model', level: null, seed, clip: null } };
  }
  if (noise) {
    const clip = clipOf(o, data);
    const noisy = corruptRows(data.x, data.sampleShape, noise, clip, seed);
    return { input: toModel(noisy), noisy, clean: data.x, what: `${noise.kind} noise ${noise.level} (seed ${seed}${clip ? ', clipped to [0, 1]' : ''})`, noise: { ...noise, seed, clip } };
  }
  if (cleanPath) {
    const clean = readModelData(m, o, cleanPath, { normalize: false });
    if (clean.n !== data.n || clean.dim !== data.dim) throw new InputError(`--clean ${clean.source} holds ${clean.n} rows of ${clean.dim} values, --data ${data.source} ${data.n} rows of ${data.dim}: they must be the same rows`);
    return { input: toModel(data.x), noisy: data.x, clean: clean.x, what: null, noise: null };
  }
  return { input: toModel(data.x), noisy: data.x, clean: null, what: null, noise: null };
}

function clipOf(o: Options, data: Dataset): boolean {
  const given = (o.get('noise-clip') as 'auto' | 'yes' | 'no' | undefined) ?? 'auto';
  if (given !== 'auto') return given === 'yes';
  for (const v of data.x) if (v < 0 || v > 1) return false;
  return true;
}
