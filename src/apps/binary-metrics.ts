/**
 * Metrics of a score that ranks positives (outliers, anomalies) above negatives: ROC-AUC, average
 * precision (the PR-AUC scikit-learn reports) and F1 at a threshold. Ties in the score count half,
 * as in the Mann–Whitney statistic, so a constant score has ROC-AUC 0.5 exactly.
 */

/** Why a labelled set cannot be scored, or null: both classes must be present. */
export function labelProblem(labels: ArrayLike<number>): string | null {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y !== 0 && y !== 1) return `label ${y} of row ${i + 1} is neither 0 (inlier) nor 1 (outlier)`;
    pos += y;
  }
  if (pos === 0) return 'no row is labelled 1 (outlier), so ROC-AUC is undefined';
  if (pos === labels.length) return 'every row is labelled 1 (outlier), so ROC-AUC is undefined';
  return null;
}

function checked(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) throw new Error(`${scores.length} scores but ${labels.length} labels`);
  const problem = labelProblem(labels);
  if (problem !== null) throw new Error(problem);
}

/** Row indices by decreasing score. */
function byScoreDescending(scores: ArrayLike<number>): Int32Array {
  return Int32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
}

/** Area under the ROC curve: P(score of a random positive > score of a random negative), ties counted ½. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checked(scores, labels);
  const order = byScoreDescending(scores);
  let pos = 0, neg = 0, area = 0;
  for (let i = 0; i < order.length;) {
    // One group of tied scores at a time: each negative in it beats the positives above, ties half.
    let p = 0, q = 0, j = i;
    for (; j < order.length && scores[order[j]!] === scores[order[i]!]; j++) labels[order[j]!] === 1 ? p++ : q++;
    area += q * (pos + p / 2);
    pos += p;
    neg += q;
    i = j;
  }
  return area / (pos * neg);
}

/** The ROC curve as (false-positive rate, true-positive rate) points from (0, 0) to (1, 1), one per distinct score. */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): { fpr: number[]; tpr: number[] } {
  checked(scores, labels);
  const order = byScoreDescending(scores);
  let totalPos = 0;
  for (let i = 0; i < labels.length; i++) totalPos += labels[i]!;
  const totalNeg = labels.length - totalPos;
  const fpr = [0], tpr = [0];
  let tp = 0, fp = 0;
  for (let i = 0; i < order.length; i++) {
    labels[order[i]!] === 1 ? tp++ : fp++;
    if (i + 1 < order.length && scores[order[i + 1]!] === scores[order[i]!]) continue;
    fpr.push(fp / totalNeg);
    tpr.push(tp / totalPos);
  }
  return { fpr, tpr };
}

/** Average precision, Σ (Rₖ − Rₖ₋₁)·Pₖ over distinct thresholds (scikit-learn's average_precision_score). */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checked(scores, labels);
  const order = byScoreDescending(scores);
  let totalPos = 0;
  for (let i = 0; i < labels.length; i++) totalPos += labels[i]!;
  let tp = 0, ap = 0, lastRecall = 0;
  for (let i = 0; i < order.length; i++) {
    if (labels[order[i]!] === 1) tp++;
    if (i + 1 < order.length && scores[order[i + 1]!] === scores[order[i]!]) continue;
    const recall = tp / totalPos;
    ap += (recall - lastRecall) * (tp / (i + 1));
    lastRecall = recall;
  }
  return ap;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Counts and F1 when rows scoring above `threshold` are called positive (precision 0 when none is). */
export function confusionAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): Confusion {
  if (scores.length !== labels.length) throw new Error(`${scores.length} scores but ${labels.length} labels`);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i]! > threshold;
    if (labels[i] === 1) flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, tn, fn, precision, recall, f1 };
}
