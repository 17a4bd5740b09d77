/**
 * aekit/apps: what people do with a trained autoencoder, each beside its baseline — PCA,
 * dimensionality reduction, features for classifiers, generation, denoising. Every function takes
 * a model and `Dataset`s (values in the model's input space) and returns plain results.
 *
 * @example
 * import { setBackend } from 'aekit';
 * import { loadMnist } from 'aekit/data';
 * import { loadModelDir } from 'aekit/io';
 * import { registerBuiltinModels } from 'aekit/models';
 * import { compareFeatures, reduce } from 'aekit/apps';
 * await setBackend('auto');
 * registerBuiltinModels();
 * const { model } = loadModelDir('runs/keras');            // from `aekit train --out runs/keras`
 * const test = loadMnist('test', { limit: 1000 });
 * const r = reduce(model, test, { pca: { components: 32, fitOn: loadMnist('train', { limit: 5000 }) } });
 * console.log(r.error.model.sqErrPerSample, r.error.pca?.sqErrPerSample);
 * const f = compareFeatures(model, loadMnist('train', { limit: 5000 }), test, { k: 5 });
 * console.table(f.scores);                                // softmax and k-NN accuracy per representation
 */
export { fitPca, pcaReconstruct, pcaSquaredError, pcaTransform, type Pca, type PcaOptions } from './pca.js';
export { encodeRows, mapRows, reconstructRows, rowSquaredErrors, rowsDataset, type RowOptions } from './model-rows.js';
export type { Progress, ProgressSink } from './progress.js';
export { latentProjection, latentScatter, reduce, type LatentProjection, type PcaBaseline, type ReconstructionError, type ReduceOptions, type ReduceResult } from './reduce.js';
export { accuracy, fitSoftmax, knnPredict, type KnnOptions, type SoftmaxClassifier, type SoftmaxOptions } from './classifiers.js';
export { compareFeatures, type FeatureScores, type FeaturesOptions, type FeaturesResult, type Representation } from './features.js';
export { interpolate, interpolationStrip, latentPath, priorProblem, sampleGrid, samplePrior, type Interpolation, type InterpolationResult } from './generate.js';
export { corruptRows, denoise, denoiseGrid, parseNoise, quality, type DenoiseResult, type Noise, type Quality } from './denoise.js';
