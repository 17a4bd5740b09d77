/**
 * aekit eval | encode | decode | reconstruct: use a trained model directory on data.
 * They share flag handling, model loading and output writing, so they live together
 * (`aekit sample` is an alias of `aekit generate`, in commands/generate.ts).
 */
import { Rng } from '../../core/index.js';
import { loadNpy, readCsv, type Dataset } from '../../data/index.js';
import type { LoadedModel } from '../../io/model-dir.js';
import { encodeRows, mapRows, reconstructRows } from '../../apps/model-rows.js';
import { evaluateReconstruction } from '../../train/evaluate.js';
import { reconstructionGrid } from '../../train/pictures.js';
import { forEachBatch } from '../../train/trainer.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { integer } from '../../util/schema.js';
import { printJson, type Io } from '../common.js';
import { EXIT, InputError, UsageError } from '../errors.js';
import { nullable, opt, string } from '../flags.js';
import { BATCH, CLASS, classLabels, DATA, HEADER, LABEL, LIMIT, OUT, readModelData, writeMatrix } from '../model-data.js';
import { runModelCommand, type ModelCommand } from '../model-command.js';
import { SHARD_FLAGS, SHARD_NOTES } from '../shards.js';

const COMMANDS: Record<string, ModelCommand> = {
  eval: {
    usage: 'aekit eval MODEL_DIR [--data FILE] [--nll-samples K] [--json]',
    description: 'Reconstruction metrics of a trained model: MSE and BCE per feature, squared error per sample; for a VAE, --nll-samples K adds the importance-sampled negative log-likelihood (for a conditional VAE, of x given its label: −log p(x | y)).',
    flags: [DATA, LABEL, HEADER, LIMIT, BATCH, opt('nll-samples', nullable(integer('importance samples per input for the NLL estimate (VAE, CVAE)', 0, { min: 1, max: 100_000 })), 'Metrics')],
    run(m, o, io) {
      const ds = readModelData(m, o);
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
    usage: 'aekit encode MODEL_DIR --data FILE --out codes.npy|codes.csv  |  --shards GLOB --out DIR [--queue redis://HOST:PORT]',
    description: 'Latent codes (one row per sample) of the input data.',
    flags: [DATA, LABEL, HEADER, LIMIT, OUT, BATCH, ...SHARD_FLAGS],
    notes: SHARD_NOTES('encode', 'npy'),
    shardOutput: 'npy',
    run(m, o, io) {
      const ds = readModelData(m, o);
      const z = encodeRows(m.model, ds, { batchSize: batchSize(o) });
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
      const x = mapRows(codes, dim, (z, labels) => m.model.decode(z, labels), { batchSize: batchSize(o) });
      if (m.normalizer) m.normalizer.invert(x);
      return writeMatrix(o, io, x, codes.n, dim, 'x');
    },
  },
  reconstruct: {
    usage: 'aekit reconstruct MODEL_DIR [--data FILE] --out recon.npy [--png grid.png]  |  --shards GLOB --out DIR [--queue redis://HOST:PORT]',
    description: 'Reconstructions of the input data (in its original units); --png draws originals above reconstructions.',
    flags: [DATA, LABEL, HEADER, LIMIT, OUT, opt('png', nullable(string('also write a picture of the first 10 samples (not with --shards)', '')), 'Output'), BATCH, ...SHARD_FLAGS],
    notes: SHARD_NOTES('reconstruct', 'npy'),
    shardOutput: 'npy',
    run(m, o, io) {
      const ds = readModelData(m, o);
      const png = o.get('png') as string | null | undefined;
      if (png) {
        const grid = reconstructionGrid(m.model, ds, 10, m.normalizer ? (v) => m.normalizer!.invert(v) : undefined);
        if (!grid) throw new InputError(`${ds.source}: samples of shape [${ds.sampleShape.join(', ')}] are not grey images, so no picture can be drawn`);
        writeFileAtomic(png, grid);
      }
      const r = reconstructRows(m.model, ds, { batchSize: batchSize(o) });
      if (m.normalizer) m.normalizer.invert(r);
      if (!o.get('out') && png) return EXIT.ok;
      return writeMatrix(o, io, r, ds.n, ds.dim, 'x');
    },
  },
};

export const MODEL_COMMANDS = Object.keys(COMMANDS);

export async function modelCommand(name: string, argv: readonly string[], io: Io): Promise<number> {
  return runModelCommand(name, COMMANDS[name]!, argv, io);
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
