import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePrecision, confusionAt, labelProblem, rocAuc, rocCurve } from './binary-metrics.js';

// The first case is scikit-learn's documented example (roc_auc_score 0.75, average_precision_score 0.83…).
test('ROC-AUC and average precision agree with scikit-learn on a small case', () => {
  const y = [0, 0, 1, 1];
  const s = [0.1, 0.4, 0.35, 0.8];
  assert.equal(rocAuc(s, y), 0.75);
  assert.ok(Math.abs(averagePrecision(s, y) - 0.8333333333333333) < 1e-12);
  assert.deepEqual(rocCurve(s, y), { fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1] });
});

test('ties count half: a constant score has ROC-AUC 0.5, a perfect one 1 and a reversed one 0', () => {
  const y = [0, 1, 0, 1, 0];
  assert.equal(rocAuc([2, 2, 2, 2, 2], y), 0.5);
  assert.equal(rocAuc([0, 1, 0, 1, 0], y), 1);
  assert.equal(rocAuc([1, 0, 1, 0, 1], y), 0);
  // By hand: positive 2 beats negatives 1 and 0 and ties the other 2 (2.5 of 3); positive 3 beats all three: 5.5 / 6.
  assert.ok(Math.abs(rocAuc([1, 2, 2, 3, 0], y) - 11 / 12) < 1e-12);
});

test('F1 at a threshold counts rows strictly above it as positive', () => {
  const c = confusionAt([0.1, 0.5, 0.7, 0.9], [0, 1, 0, 1], 0.5);
  assert.deepEqual([c.tp, c.fp, c.tn, c.fn], [1, 1, 1, 1]);
  assert.equal(c.f1, 0.5);
  assert.equal(confusionAt([0, 0], [0, 1], 1).f1, 0, 'nothing flagged: precision and F1 are 0, not NaN');
});

test('labels must be 0/1 with both classes present', () => {
  assert.match(labelProblem([0, 0, 0])!, /no row is labelled 1/);
  assert.match(labelProblem([1, 1])!, /every row is labelled 1/);
  assert.match(labelProblem([0, 2])!, /label 2 of row 2 is neither 0/);
  assert.equal(labelProblem([0, 1]), null);
  assert.throws(() => rocAuc([1, 2, 3], [0, 0, 0]), /ROC-AUC is undefined/);
  assert.throws(() => rocAuc([1, 2], [0, 1, 1]), /2 scores but 3 labels/);
});
