/**
 * Are an autoencoder's codes good features? Fit the same two classifiers — softmax regression
 * (aekit's engine and Adam) and k-nearest neighbours — on three representations of the same
 * labelled rows: the latent codes, the raw inputs, and PCA codes of the latent width (fitted on
 * the training rows; at most the input width), and report each one's accuracy on the test rows.
 */
import type { Dataset } from '../data/index.js';
import type { Autoencoder } from '../models/index.js';
import { accuracy, fitSoftmax, knnPredict, type SoftmaxOptions } from './classifiers.js';
import { encodeRows, rowsDataset } from './model-rows.js';
import { fitPca, pcaTransform } from './pca.js';
import type { ProgressSink } from './progress.js';

export type Representation = 'latent' | 'raw' | 'pca';

export interface FeatureScores {
  representation: Representation;
  /** Features per row. */
  width: number;
  /** Test accuracy of the softmax classifier and of k-NN, in [0, 1]. */
  softmax: number;
  knn: number;
  seconds: number;
}

export interface FeaturesOptions {
  /** Neighbours for k-NN (default 5). */
  k?: number;
  softmax?: Omit<SoftmaxOptions, 'onProgress' | 'stage'>;
  /** Rows per batch when encoding (default 1000). */
  batchSize?: number;
  onProgress?: ProgressSink;
}

export interface FeaturesResult {
  scores: FeatureScores[];
  k: number;
  trainRows: number;
  testRows: number;
  numClasses: number;
}

/** Test accuracy of softmax regression and k-NN on the model's codes, the raw inputs and PCA codes of the same width. */
export function compareFeatures(model: Autoencoder, train: Dataset, test: Dataset, opts: FeaturesOptions = {}): FeaturesResult {
  const trainLabels = labelsOf(train), testLabels = labelsOf(test);
  const k = opts.k ?? 5;
  const numClasses = Math.max(maxOf(trainLabels), maxOf(testLabels)) + 1;
  // PCA codes as wide as the latent code, or as the input where the code is wider (overcomplete).
  const width = Math.min(model.config.latentDim, train.dim);
  const representations: [Representation, () => [Dataset, Dataset]][] = [
    ['latent', () => [codes(model, train, opts, 'encoding training rows'), codes(model, test, opts, 'encoding test rows')]],
    ['raw', () => [train, test]],
    ['pca', () => {
      opts.onProgress?.({ stage: `fitting ${width}-component PCA`, done: 0, total: 1 });
      const p = fitPca(train, width);
      opts.onProgress?.({ stage: `fitting ${width}-component PCA`, done: 1, total: 1 });
      return [rowsDataset(pcaTransform(p, train), width, trainLabels, `${train.source} (PCA)`), rowsDataset(pcaTransform(p, test), width, testLabels, `${test.source} (PCA)`)];
    }],
  ];
  const scores = representations.map(([name, make]): FeatureScores => {
    const t0 = performance.now();
    const [tr, te] = make();
    const clf = fitSoftmax(tr, numClasses, { ...opts.softmax, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), stage: `softmax on ${name} (${tr.dim}-d), epochs` });
    const softmax = accuracy(clf.predict(te), testLabels);
    clf.dispose();
    const knn = accuracy(knnPredict(tr, te, k, { ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), stage: `${k}-NN on ${name} (${tr.dim}-d), test rows` }), testLabels);
    return { representation: name, width: tr.dim, softmax, knn, seconds: (performance.now() - t0) / 1000 };
  });
  return { scores, k, trainRows: train.n, testRows: test.n, numClasses };
}

function codes(model: Autoencoder, ds: Dataset, opts: FeaturesOptions, stage: string): Dataset {
  const z = encodeRows(model, ds, { ...(opts.batchSize ? { batchSize: opts.batchSize } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), stage });
  return rowsDataset(z, model.config.latentDim, ds.labels, `${ds.source} (codes)`);
}

function labelsOf(ds: Dataset): Int32Array {
  if (!ds.labels) throw new Error(`${ds.source} has no labels; comparing features needs a class label per row`);
  return ds.labels;
}

function maxOf(v: Int32Array): number {
  return v.reduce((m, y) => Math.max(m, y), 0);
}
