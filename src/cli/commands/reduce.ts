/** aekit reduce: latent codes of data, the reconstruction error they leave, a PCA baseline beside it, and a picture of the codes. */
import { dirname, join } from 'node:path';
import { latentProjection, latentScatter, reduce } from '../../apps/reduce.js';
import type { Dataset } from '../../data/index.js';
import type { LoadedModel } from '../../io/model-dir.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { integer } from '../../util/schema.js';
import { printJson, type Io } from '../common.js';
import { EXIT, UsageError } from '../errors.js';
import { nullable, opt, string } from '../flags.js';
import { BATCH, DATA, dataName, HEADER, LABEL, LIMIT, matrixOut, readModelData, recordedData, trainingDataSpec, writeMatrixFile, type Options } from '../model-data.js';
import type { ModelCommand } from '../model-command.js';
import { commandProgress } from '../progress.js';

export const reduceCommand: ModelCommand = {
  usage: 'aekit reduce MODEL_DIR [--data FILE] [--out codes.npy|codes.csv] [--png latent.png] [--pca K]',
  description: "Dimensionality reduction: the latent code of every input row (written with --out), the reconstruction error the model leaves (squared error per sample, in the model's input space), and with --pca K the same error of a K-component PCA fitted by aekit's engine on the model's training data, scored on the same rows. Draws the codes in 2-D, coloured by label when the data has labels: a 2-d code as it is, a wider one projected on its first two principal components (the picture says which).",
  flags: [
    DATA, LABEL, HEADER, LIMIT,
    opt('out', nullable(string('write the codes to this .npy or .csv file (one row per input)', '')), 'Output'),
    opt('png', nullable(string('the scatter plot of the codes (default: latent.png beside --out; none without --out)', '')), 'Output'),
    opt('pca', nullable(integer('also fit a PCA baseline with K components and report its reconstruction error beside the model\'s (K = the latent width compares like with like)', 0, { min: 1 })), 'Baseline'),
    opt('pca-data', nullable(string("data to fit the PCA on (default: the data the model was trained on, as it was read in training; else the input itself)", '')), 'Baseline'),
    BATCH,
  ],
  run(m, o, io) {
    const out = matrixOut(o);
    const png = (o.get('png') as string | null | undefined) ?? (out ? join(dirname(out), 'latent.png') : null);
    const ds = readModelData(m, o);
    const k = (o.get('pca') as number | null | undefined) ?? null;
    if (k !== null && k > ds.dim) throw new UsageError(`--pca ${k}: the data has ${ds.dim} features per sample, so at most ${ds.dim} components`);
    const fitOn = k === null ? null : pcaData(m, o, ds, io);
    const onProgress = commandProgress(o.get('quiet') === true, io.err);
    const r = reduce(m.model, ds, { batchSize: (o.get('batch-size') as number | undefined) ?? 1000, ...(onProgress ? { onProgress } : {}), pca: k === null ? null : { components: k, fitOn: fitOn! } });
    if (out) writeMatrixFile(out, r.codes, r.n, r.latentDim, 'z');
    const projection = png ? latentProjection(r.codes, r.latentDim) : null;
    if (png && projection) {
      const names = 'classNames' in ds ? (ds as Dataset & { classNames: string[] }).classNames : undefined;
      const title = `${r.latentDim}-d codes of ${ds.n.toLocaleString('en-US')} rows of ${dataName(o, m)}${r.latentDim > 2 ? ', PCA projection' : ''}`;
      writeFileAtomic(png, latentScatter(projection, ds.labels, title, names));
    }
    const picture = png === null ? null : projection === null ? `no picture: a ${r.latentDim}-d code has no 2-D view` : `${png}: ${projection.how}${ds.labels ? ', coloured by label' : ''}`;
    if (o.get('json') === true) {
      printJson(io, { data: ds.source, rows: r.n, latentDim: r.latentDim, out, png: projection ? png : null, projection: projection?.how ?? null, error: r.error });
      return EXIT.ok;
    }
    if (o.get('quiet') === true) return EXIT.ok;
    const e = r.error;
    const lines = [
      `${ds.source}: ${r.n.toLocaleString('en-US')} rows → ${r.latentDim}-d codes${out ? `, written to ${out}` : ' (give --out to write them)'}`,
      `reconstruction error, squared error per sample${m.normalizer ? " (in the model's normalised units)" : ''}:`,
      `  ${`autoencoder (${r.latentDim}-d code)`.padEnd(28)} ${e.model.sqErrPerSample.toFixed(4).padStart(10)}   (MSE per feature ${e.model.msePerFeature.toExponential(4)})`,
      ...(e.pca ? [`  ${`PCA (${e.pca.components} components)`.padEnd(28)} ${e.pca.sqErrPerSample.toFixed(4).padStart(10)}   (MSE per feature ${e.pca.msePerFeature.toExponential(4)}; fitted on ${e.pca.fittedOn}, ${(100 * e.pca.explainedVariance).toFixed(1)}% of its variance)`] : []),
      ...(picture ? [picture] : []),
    ];
    io.out.write(lines.join('\n') + '\n');
    return EXIT.ok;
  },
};

/** The rows PCA is fitted on: --pca-data, else the model's training data (the rows it saw, with its --limit), else the input itself. */
function pcaData(m: LoadedModel, o: Options, input: Dataset, io: Io): Dataset {
  const given = o.get('pca-data') as string | null | undefined;
  if (given) return readModelData(m, o, given, { limit: null });
  const spec = trainingDataSpec(m);
  if (spec === null) {
    if (o.get('quiet') !== true) io.err.write(`aekit reduce: note: ${m.dir} does not record its training data, so the PCA is fitted on the rows it is scored on (give --pca-data for a held-out fit)\n`);
    return input;
  }
  return readModelData(m, o, spec, { limit: recordedData(m)?.limit ?? null });
}
