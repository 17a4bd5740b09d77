/** End-to-end tests of `aekit anomaly fit | score | eval` on small CSV fixtures, and their bad inputs. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { decodePng } from '../src/util/png.js';
import { spawnSync } from 'node:child_process';
import { aekit, repoRoot, tempDir } from './helpers.js';

/** Rows of 5 features on a plane (a, b, a+b, a−b, 2a) plus noise; every 10th row is off it (label 1). */
function table(n: number, seed: number): string {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const lines = ['a,b,c,d,e,label'];
  for (let i = 0; i < n; i++) {
    const [a, b] = [rand() * 2, rand() * 2];
    const row = i % 10 === 0 ? [rand() * 3, rand() * 3, rand() * 3, rand() * 3, rand() * 3] : [a, b, a + b, a - b, 2 * a].map((v) => v + 0.02 * rand());
    lines.push(`${row.map((v) => v.toFixed(4)).join(',')},${i % 10 === 0 ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}

const FAST = ['--members', '2', '--backend', 'reference'];

describe('aekit anomaly on a small table', () => {
  const dir = tempDir('aekit-anomaly-cli-');
  const det = join(dir, 'det');
  const train = join(dir, 'train.csv');
  const testCsv = join(dir, 'test.csv');
  before(() => {
    writeFileSync(train, table(300, 7));
    writeFileSync(testCsv, table(200, 11));
    const r = aekit(['anomaly', 'fit', '--data', train, '--label-column', 'label', '--out', det, '--contamination', '0.1', ...FAST, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.rows, out.features, out.members, out.kinds, out.combine], [300, 5, 2, { dense: 1, vae: 1 }, 'standardized']);
    assert.ok(Math.abs(out.flaggedTrainingRows - 30) <= 1, `${out.flaggedTrainingRows} of 300 above the 0.9 quantile`);
  });

  test('fit saves a model folder with the standardisation and anomaly.json with the threshold', () => {
    for (const f of ['config.json', 'model.safetensors', 'anomaly.json', 'members/1/model.safetensors']) assert.ok(existsSync(join(det, f)), `missing ${f}`);
    const rec = JSON.parse(readFileSync(join(det, 'anomaly.json'), 'utf8'));
    assert.deepEqual([rec.members, rec.rule, rec.featureNames], [2, { kind: 'contamination', value: 0.1 }, ['a', 'b', 'c', 'd', 'e']]);
    assert.equal(rec.featureWeights, null, 'default: weights per member, not one set');
    assert.deepEqual(rec.memberWeights.map((w: number[]) => w.length), [5, 5], 'default: per-feature weights from the training rows, per member');
    assert.equal(rec.memberScales.length, 2);
    assert.equal(JSON.parse(readFileSync(join(det, 'members', '1', 'config.json'), 'utf8')).model.kind, 'vae', 'default: an autoencoder and a VAE in turn');
    assert.equal(JSON.parse(readFileSync(join(det, 'config.json'), 'utf8')).data.normalizer.kind, 'standard');
    const info = aekit(['info', det, '--json']);
    assert.equal(info.status, 0, info.stderr);
    assert.equal(JSON.parse(info.stdout).config.model.inputDim, 5, 'the folder is a model folder the other commands read');
  });

  test('score writes score and flag per row (and the label, and the features that explain it)', () => {
    const out = join(dir, 'scores.csv');
    const r = aekit(['anomaly', 'score', det, '--data', testCsv, '--label-column', 'label', '--out', out, '--explain', '2', '--batch-size', '7', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'score,flag,label,feature1,error1,feature2,error2');
    assert.equal(lines.length, 201);
    const rows = lines.slice(1).map((l) => l.split(','));
    const threshold = JSON.parse(readFileSync(join(det, 'anomaly.json'), 'utf8')).threshold;
    for (const row of rows) {
      assert.equal(row[1], Number(row[0]) > threshold ? '1' : '0');
      assert.ok(['a', 'b', 'c', 'd', 'e'].includes(row[3]!));
      assert.ok(Number(row[4]) >= Number(row[6]));
    }
    assert.equal(summary.flagged, rows.filter((row) => row[1] === '1').length);
    const caught = rows.filter((row) => row[2] === '1' && row[1] === '1').length;
    assert.ok(caught >= 15, `${caught} of 20 anomalies flagged`);
  });

  test('eval reports ROC-AUC, PR-AUC and F1 and draws the histogram and ROC curve', () => {
    const plots = join(dir, 'plots');
    const r = aekit(['anomaly', 'eval', det, '--data', testCsv, '--label-column', 'label', '--plots', plots, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    assert.ok(m.rocAuc > 0.95 && m.prAuc > 0.8, `ROC-AUC ${m.rocAuc}, PR-AUC ${m.prAuc}`);
    assert.equal(m.tp + m.fn, 20);
    assert.ok(m.f1 > 0.6, `F1 ${m.f1}`);
    for (const f of ['score-histogram.png', 'roc.png']) assert.ok(decodePng(readFileSync(join(plots, f))).width > 300, f);
  });

  test('a fixed threshold is saved by fit and used by score; score --threshold overrides it for one run', () => {
    const fixed = join(dir, 'fixed');
    assert.equal(aekit(['anomaly', 'fit', '--data', train, '--label-column', '-1', '--out', fixed, '--threshold', '0.5', '--feature-weighting', 'uniform', ...FAST, '--quiet']).status, 0);
    assert.deepEqual([JSON.parse(readFileSync(join(fixed, 'anomaly.json'), 'utf8')).threshold, JSON.parse(readFileSync(join(fixed, 'anomaly.json'), 'utf8')).featureWeights], [0.5, null]);
    const out = join(dir, 'fixed.csv');
    for (const [extra, t] of [[[], 0.5], [['--threshold', '0.05'], 0.05]] as const) {
      const r = aekit(['anomaly', 'score', fixed, '--data', testCsv, '--label-column', 'label', '--out', out, ...extra, '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).threshold, t);
      const flags = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
      for (const [s, f] of flags) assert.equal(f, Number(s) > t ? '1' : '0');
    }
    assert.equal(JSON.parse(readFileSync(join(fixed, 'anomaly.json'), 'utf8')).threshold, 0.5, 'score does not change the saved threshold');
  });

  test('--model dense: an ensemble of autoencoders whose errors are averaged, one set of feature weights; --combine standardized overrides', () => {
    const dense = join(dir, 'dense');
    const r = aekit(['anomaly', 'fit', '--data', train, '--label-column', 'label', '--out', dense, '--model', 'dense', ...FAST, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual([JSON.parse(r.stdout).kinds, JSON.parse(r.stdout).combine], [{ dense: 2 }, 'mean']);
    const rec = JSON.parse(readFileSync(join(dense, 'anomaly.json'), 'utf8'));
    assert.deepEqual([rec.featureWeights.length, rec.memberScales], [5, null]);
    const z = aekit(['anomaly', 'fit', '--data', train, '--label-column', 'label', '--out', join(dir, 'dense-z'), '--model', 'dense', '--combine', 'standardized', ...FAST, '--json']);
    assert.equal(z.status, 0, z.stderr);
    assert.equal(JSON.parse(z.stdout).combine, 'standardized');
    const bad = aekit(['anomaly', 'fit', '--data', train, '--out', join(dir, 'bad'), '--combine', 'median', ...FAST]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--combine/);
  });

  test('bad input: width mismatch, no labels for eval, an empty file, NaN, two threshold rules, a used --out', () => {
    const cases: [string[], number, RegExp][] = [
      [['score', det, '--data', train, '--out', join(dir, 'x.csv')], 3, /train\.csv has 6 features per row but the detector was fitted on 5/],
      [['eval', det, '--data', write('unlabelled.csv', 'a,b,c,d,e\n1,2,3,4,5\n')], 2, /unlabelled\.csv has no labels: give --label-column/],
      [['score', det, '--data', write('empty.csv', ''), '--out', join(dir, 'x.csv')], 3, /empty\.csv: empty file/],
      [['score', det, '--data', write('nan.csv', 'a,b,c,d,e\n1,2,3,4,5\n1,NaN,3,4,5\n'), '--out', join(dir, 'x.csv')], 3, /nan\.csv:3: column "b" \(2\): "NaN" is not a number/],
      [['fit', '--data', write('nan-train.csv', 'a,b\n1,2\nnan,3\n'), '--out', join(dir, 'n')], 3, /nan-train\.csv:3: column "a" \(1\): "nan" is not a number/],
      [['eval', det, '--data', write('one-class.csv', 'a,b,c,d,e,y\n1,2,3,4,5,0\n'), '--label-column', 'y'], 3, /no row is labelled 1/],
      [['fit', '--data', train, '--out', join(dir, 'y'), '--contamination', '0.1', '--percentile', '99'], 2, /give one of --contamination, --percentile and --threshold/],
      [['fit', '--data', train, '--out', det], 2, /already holds|not empty/],
      [['score', dir, '--data', testCsv, '--out', join(dir, 'x.csv')], 3, /is not an anomaly detector: no anomaly\.json/],
      [['fit', '--data', train, '--out', join(dir, 'z'), '--model', 'cvae'], 2, /conditional model needs the class/],
    ];
    for (const [args, code, message] of cases) {
      const r = aekit(['anomaly', ...args, '--backend', 'reference']);
      assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
    }
    assert.ok(!existsSync(join(dir, 'x.csv')), 'a failed score leaves no output file');
  });

  function write(name: string, text: string): string {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  }
});

test('the README\'s anomaly example runs as written (through the package\'s `exports` map)', () => {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  const block = /## Anomaly detection[\s\S]*?```js\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'README.md has a ```js example under "Anomaly detection"');
  const cwd = tempDir('aekit-anomaly-readme-');
  writeFileSync(join(cwd, 'train.csv'), table(300, 3));
  writeFileSync(join(cwd, 'test.csv'), table(100, 4));
  // Written inside the package so that `import 'aekit'` resolves to this package itself.
  const file = join(repoRoot(), 'dist', 'readme-anomaly-example.mjs');
  writeFileSync(file, block[1]!);
  const r = spawnSync(process.execPath, [file], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [auc] = r.stdout.trim().split(' ').map(Number);
  assert.ok(auc! > 0.9, r.stdout);
});

test('aekit anomaly --help lists the subcommands; each has --help', () => {
  const r = aekit(['anomaly', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /fit .*\n.*score .*\n.*eval /);
  for (const sub of ['fit', 'score', 'eval']) assert.match(aekit(['anomaly', sub, '--help']).stdout, new RegExp(`Usage: aekit anomaly ${sub}`));
  assert.equal(aekit(['anomaly', 'nope']).status, 2);
});
