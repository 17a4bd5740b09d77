/** Pictures of a detector on labelled rows: the score histogram of normal and anomalous rows, and the ROC curve. */
import { lineChart, PALETTE } from '../util/plot.js';
import { rocCurve } from './binary-metrics.js';

const BINS = 40;

/**
 * The share of each class's rows per score bin (so the rare class shows), with the threshold as a
 * vertical line. Scores spanning more than two decades (reconstruction errors usually do) are
 * binned by log10.
 */
export function histogramPng(scores: readonly number[], labels: readonly number[], threshold: number): Uint8Array {
  let lo = Infinity, hi = -Infinity;
  for (const s of scores) if (Number.isFinite(s)) [lo, hi] = [Math.min(lo, s), Math.max(hi, s)];
  const log = lo > 0 && hi / lo > 100;
  const f = (s: number) => (log ? Math.log10(s) : s);
  const [a, b] = [f(lo), f(hi) > f(lo) ? f(hi) : f(lo) + 1];
  const width = (b - a) / BINS;
  const counts = [new Array<number>(BINS).fill(0), new Array<number>(BINS).fill(0)];
  const totals = [0, 0];
  scores.forEach((s, i) => {
    const y = labels[i] === 1 ? 1 : 0;
    counts[y]![Math.min(BINS - 1, Math.max(0, Math.floor((f(s) - a) / width)))]!++;
    totals[y]!++;
  });
  // Steps: each bin drawn flat from its left to its right edge.
  const steps = (c: number[], total: number) => {
    const x: number[] = [], y: number[] = [];
    c.forEach((v, k) => {
      x.push(a + k * width, a + (k + 1) * width);
      y.push(v / Math.max(total, 1), v / Math.max(total, 1));
    });
    return { x, y };
  };
  const top = Math.max(...counts.flatMap((c, y) => c.map((v) => v / Math.max(totals[y]!, 1)))); // 2 × BINS values
  const t = f(threshold);
  const series = [
    { name: `normal (${totals[0]})`, ...steps(counts[0]!, totals[0]!), color: PALETTE[0]! },
    { name: `anomaly (${totals[1]})`, ...steps(counts[1]!, totals[1]!), color: PALETTE[1]! },
  ];
  if (Number.isFinite(t) && t >= a - 2 * width && t <= b + 2 * width) series.push({ name: 'threshold', x: [t, t], y: [0, top], color: [120, 120, 120] });
  return lineChart({ title: 'Anomaly scores', xLabel: log ? 'log10 score' : 'score', yLabel: 'share of the class', series });
}

/** The ROC curve with the chance diagonal. */
export function rocPng(scores: readonly number[], labels: readonly number[], auc: number): Uint8Array {
  const curve = rocCurve(scores, labels);
  // At most about 2,000 points: a curve over millions of distinct scores draws the same picture.
  const every = Math.max(1, Math.floor(curve.fpr.length / 2000));
  const keep = (_: number, i: number, all: number[]) => i % every === 0 || i === all.length - 1;
  const [fpr, tpr] = [curve.fpr.filter(keep), curve.tpr.filter(keep)];
  return lineChart({
    title: `ROC curve (AUC ${auc.toFixed(3)})`, xLabel: 'false-positive rate', yLabel: 'true-positive rate', width: 540, height: 500,
    series: [{ name: 'detector', x: fpr, y: tpr, color: PALETTE[0]! }, { name: 'chance', x: [0, 1], y: [0, 1], color: [170, 170, 170] }],
  });
}
