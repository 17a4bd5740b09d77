/** aekit features: are the latent codes good features? Softmax regression and k-NN on codes, raw inputs and PCA codes of the same width. */
import { compareFeatures, type Representation } from '../../apps/features.js';
import type { Dataset } from '../../data/index.js';
import type { LoadedModel } from '../../io/model-dir.js';
import { integer, number } from '../../util/schema.js';
import { defaultData, printJson } from '../common.js';
import { EXIT, InputError, UsageError } from '../errors.js';
import { nullable, opt, string } from '../flags.js';
import { BATCH, HEADER, LABEL, LIMIT, readModelData, trainingDataSpec, type Options } from '../model-data.js';
import type { ModelCommand } from '../model-command.js';
import { commandProgress } from '../progress.js';

const NAMES: Record<Representation, string> = { latent: 'latent codes', raw: 'raw inputs', pca: 'PCA codes' };

export const featuresCommand: ModelCommand = {
  usage: 'aekit features MODEL_DIR [--train-data FILE] [--test-data FILE] [--k 5] [--json]',
  description: "Are the model's latent codes good features? Fits a softmax classifier (aekit's engine, Adam) and k-nearest neighbours on labelled training rows in three representations — the latent codes, the raw inputs, and PCA codes of the latent width fitted on the training rows — and reports each one's accuracy on the test rows. Inputs are in the model's input space (after its normalisation); the softmax classifier sees each representation centred and divided by one overall spread, k-NN uses Euclidean distance on it as it is.",
  trains: true,
  flags: [
    opt('train-data', nullable(string('labelled rows to fit the classifiers on (default: the data the model was trained on)', '')), 'Input'),
    opt('test-data', nullable(string("labelled rows to score them on (default: the model's test data)", '')), 'Input'),
    LABEL, HEADER,
    { ...LIMIT, field: nullable(integer('use only the first N rows of the training and of the test data', 0, { min: 1 })) },
    opt('k', integer('neighbours for k-NN', 5, { min: 1, max: 1000 }), 'Classifiers'),
    opt('epochs', integer('softmax: passes over the training rows (batch 256)', 20, { min: 1, max: 10_000 }), 'Classifiers'),
    opt('lr', number('softmax: Adam learning rate', 1e-2, { positive: true }), 'Classifiers'),
    opt('seed', integer('softmax: seed of the initial weights and batch order', 1, { min: 0, max: 2 ** 32 - 1 }), 'Classifiers'),
    BATCH,
  ],
  run(m, o, io) {
    const train = labelled(m, o, (o.get('train-data') as string | null | undefined) ?? trainingSpec(m), 'training');
    const test = labelled(m, o, (o.get('test-data') as string | null | undefined) ?? testSpec(m), 'test');
    const k = (o.get('k') as number | undefined) ?? 5;
    if (k > train.n) throw new UsageError(`--k ${k}: there are only ${train.n} training rows`);
    const onProgress = commandProgress(o.get('quiet') === true, io.err);
    const r = compareFeatures(m.model, train, test, {
      k, batchSize: (o.get('batch-size') as number | undefined) ?? 1000, ...(onProgress ? { onProgress } : {}),
      softmax: { epochs: (o.get('epochs') as number | undefined) ?? 20, lr: (o.get('lr') as number | undefined) ?? 1e-2, seed: (o.get('seed') as number | undefined) ?? 1 },
    });
    if (o.get('json') === true) {
      printJson(io, { model: m.dir, train: train.source, test: test.source, ...r });
      return EXIT.ok;
    }
    if (o.get('quiet') === true) return EXIT.ok;
    const lines = [
      `test accuracy on ${r.testRows.toLocaleString('en-US')} rows of ${test.source}, classifiers fitted on ${r.trainRows.toLocaleString('en-US')} rows of ${train.source} (${r.numClasses} classes)`,
      `${'representation'.padEnd(16)} ${'width'.padStart(6)} ${'softmax'.padStart(8)} ${`${r.k}-NN`.padStart(8)}`,
      ...r.scores.map((s) => `${NAMES[s.representation].padEnd(16)} ${String(s.width).padStart(6)} ${s.softmax.toFixed(4).padStart(8)} ${s.knn.toFixed(4).padStart(8)}`),
    ];
    io.out.write(lines.join('\n') + '\n');
    return EXIT.ok;
  },
};

function trainingSpec(m: LoadedModel): string {
  const spec = trainingDataSpec(m);
  if (spec === null) throw new UsageError(`${m.dir} does not record the data it was trained on: give --train-data FILE (labelled rows)`);
  return spec;
}

function testSpec(m: LoadedModel): string {
  try {
    return defaultData(m);
  } catch {
    throw new UsageError(`${m.dir} does not record its test data: give --test-data FILE (labelled rows)`);
  }
}

function labelled(m: LoadedModel, o: Options, spec: string, what: string): Dataset {
  const ds = readModelData(m, o, spec);
  if (!ds.labels) throw new InputError(`${ds.source}: the ${what} data has no labels, and the classifiers need one per row (a CSV gives them with --label-column, an image folder with one folder per class)`);
  return ds;
}

