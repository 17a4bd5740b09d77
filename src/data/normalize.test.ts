import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeDataset, type Dataset } from './dataset.js';
import { fitNormalizer, normalizerFromJSON } from './normalize.js';

/** Three rows of three features; the last feature is constant. */
const train = (): Dataset => makeDataset({ x: Float32Array.from([0, 10, 5, 2, 20, 5, 4, 60, 5]), sampleShape: [3], source: 'train.csv' });

test('minmax maps each training feature onto [0, 1]; a constant feature maps to 0 with scale 1', () => {
  const norm = fitNormalizer('minmax', train());
  assert.deepEqual([...norm.offset], [0, 10, 5]);
  assert.deepEqual([...norm.scale], [0.25, Math.fround(1 / 50), 1]);
  const ds = norm.apply(train());
  assert.deepEqual([...ds.x], [0, 0, 0, 0.5, Math.fround(10 * Math.fround(1 / 50)), 0, 1, 1, 0]);
});

test('standard gives zero mean and unit (population) standard deviation per feature', () => {
  const ds = fitNormalizer('standard', train()).apply(train());
  for (let j = 0; j < 2; j++) {
    const col = [ds.x[j]!, ds.x[3 + j]!, ds.x[6 + j]!];
    const mean = col.reduce((a, b) => a + b) / 3;
    const variance = col.reduce((a, b) => a + (b - mean) ** 2, 0) / 3;
    assert.ok(Math.abs(mean) < 1e-6, `feature ${j} mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 1e-5, `feature ${j} variance ${variance}`);
  }
  assert.deepEqual([ds.x[2], ds.x[5], ds.x[8]], [0, 0, 0], 'the constant feature becomes 0, not NaN');
});

test('the standard deviation is stable for a large offset (two-pass)', () => {
  const ds = makeDataset({ x: Float32Array.from([1e6 + 1, 1e6 + 3]), sampleShape: [1], source: 'big' });
  const norm = fitNormalizer('standard', ds);
  assert.equal(norm.offset[0], 1e6 + 2);
  assert.equal(norm.scale[0], 1);
});

test('invert undoes apply; none changes nothing', () => {
  for (const kind of ['none', 'minmax', 'standard'] as const) {
    const norm = fitNormalizer(kind, train());
    const ds = norm.apply(train());
    const back = norm.invert(ds.x);
    assert.equal(back, ds.x, 'invert works in place');
    train().x.forEach((v, i) => assert.ok(Math.abs(back[i]! - v) < 1e-4, `${kind} [${i}]: ${back[i]} vs ${v}`));
  }
  assert.deepEqual(fitNormalizer('none', train()).apply(train()).x, train().x);
});

test('statistics come from the training split only: validation rows may fall outside [0, 1]', () => {
  const norm = fitNormalizer('minmax', train());
  const val = norm.apply(makeDataset({ x: Float32Array.from([8, 10, 5]), sampleShape: [3], source: 'val.csv' }));
  assert.deepEqual([...val.x], [2, 0, 0]);
});

test('JSON round trip keeps the exact float32 statistics', () => {
  const norm = fitNormalizer('standard', train());
  const json = JSON.parse(JSON.stringify(norm));
  assert.equal(json.kind, 'standard');
  const back = normalizerFromJSON(json);
  assert.deepEqual(back.offset, norm.offset);
  assert.deepEqual(back.scale, norm.scale);
  assert.deepEqual(back.apply(train()).x, norm.apply(train()).x);
});

test('normalizerFromJSON names the bad field', () => {
  assert.throws(() => normalizerFromJSON(null), /normalizer: expected an object/);
  assert.throws(() => normalizerFromJSON({ kind: 'zscore', offset: [0], scale: [1] }), /normalizer\.kind must be one of none, minmax, standard, got "zscore"/);
  assert.throws(() => normalizerFromJSON({ kind: 'minmax', offset: [0, 'a'], scale: [1, 1] }), /normalizer\.offset\[1\]: "a" is not a finite float32/);
  assert.throws(() => normalizerFromJSON({ kind: 'minmax', offset: [0], scale: [0] }), /normalizer\.scale\[0\]: 0 is not a finite non-zero float32/);
  assert.throws(() => normalizerFromJSON({ kind: 'minmax', offset: [0], scale: [1e39] }), /normalizer\.scale\[0\]: 1e\+39 is not a finite/);
  assert.throws(() => normalizerFromJSON({ kind: 'minmax', offset: [0, 1], scale: [1] }), /offset has 2 values but scale has 1/);
  assert.throws(() => normalizerFromJSON({ kind: 'minmax', offset: [], scale: [] }), /normalizer\.offset: expected a non-empty array/);
});

test('fitting refuses bad kinds, empty data and non-finite values; apply refuses the wrong width', () => {
  assert.throws(() => fitNormalizer('max' as 'minmax', train()), /fitNormalizer: kind must be one of/);
  assert.throws(() => fitNormalizer('minmax', makeDataset({ x: new Float32Array(0), sampleShape: [3], source: 'e' })), /e: cannot fit a normaliser on zero rows/);
  const bad = train();
  bad.x[4] = NaN;
  assert.throws(() => fitNormalizer('standard', bad), /train\.csv: row 2, column 2: value NaN is not finite/);
  const norm = fitNormalizer('minmax', train());
  assert.throws(() => norm.apply(makeDataset({ x: new Float32Array(4), sampleShape: [2], source: 'w' })), /w: normaliser fitted on 3 features, data has 2/);
  assert.throws(() => norm.invert(new Float32Array(4)), /4 values do not split into rows of 3/);
});
