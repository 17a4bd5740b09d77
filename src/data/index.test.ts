import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchLoader, fitNormalizer, gatherRows, loadMnist, splitValidation } from './index.js';

test('the example at the top of index.ts runs and yields normalised batches', () => {
  const { train, val } = splitValidation(loadMnist('train', { limit: 1000 }), 0.1, 42);
  const norm = fitNormalizer('standard', train);
  norm.apply(train);
  if (val !== null) norm.apply(val);
  const loader = new BatchLoader(train, { batchSize: 64, shuffle: true, seed: 42, dropLast: false });
  const batch = new Float32Array(64 * train.dim);
  let rows = 0;
  let sum = 0;
  for (const idx of loader.batches(0)) {
    gatherRows(train, idx, batch);
    rows += idx.length;
    for (let i = 0; i < idx.length * train.dim; i++) sum += batch[i]!;
  }
  assert.equal(train.n, 900);
  assert.equal(val!.n, 100);
  assert.equal(rows, 900);
  // Standardised features sum to zero over the training rows (constant border pixels stay 0).
  assert.ok(Math.abs(sum / (900 * 784)) < 1e-5, `mean ${sum / (900 * 784)}`);
});

test('the data layer imports nothing above core', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const here = new URL('.', import.meta.url);
  for (const f of readdirSync(here).filter((n) => n.endsWith('.js'))) {
    const src = readFileSync(new URL(f, here), 'utf8');
    for (const m of src.matchAll(/from '(\.\.\/[^']+)'/g)) {
      assert.match(m[1]!, /^\.\.\/(core|util)\//, `${f} imports ${m[1]}`);
    }
  }
});
