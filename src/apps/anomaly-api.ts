/**
 * aekit/anomaly: anomaly detection by reconstruction error, in PyOD's shape.
 *
 * @example
 * import * as ak from 'aekit';
 * import { readCsv } from 'aekit/data';
 * import { AnomalyDetector, rocAuc } from 'aekit/anomaly';
 * await ak.setBackend('auto');
 * const det = await new AnomalyDetector({ threshold: { kind: 'contamination', value: 0.05 } }).fit(readCsv('train.csv'));
 * const scores = det.score(readCsv('test.csv'));   // one per row, higher = more anomalous
 * const flags = det.predict(readCsv('test.csv'));  // 1 above det.threshold
 */
export {
  AnomalyDetector, defaultAnomalyModel, defaultAnomalyVae, defaultAnomalyOptions, defaultEpochs, robustScale, squaredErrors, negativeLogLikelihood, topFeatures,
  type AnomalyOptions, type AnomalyScore, type FeatureWeighting, type EnsembleCombine, type MemberScale,
} from './anomaly.js';
export { thresholdFrom, checkThresholdRule, quantile, type ThresholdRule } from './threshold.js';
export { saveDetector, loadDetector, saveThreshold, readAnomalyRecord, ANOMALY_FILE, type AnomalyRecord, type SaveDetectorOptions } from './anomaly-file.js';
export { rocAuc, rocCurve, averagePrecision, confusionAt, labelProblem, type Confusion } from './binary-metrics.js';
export { histogramPng, rocPng } from './anomaly-plots.js';
