import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ak from '../index.js';
import type { DType, Tensor } from '../core/index.js';
import { clipGradNorm, clipGradValue } from './clip.js';
import { repoRoot } from '../../test/helpers.js';

await ak.setBackend('reference');


interface ClipCase {
  kind: 'norm' | 'value';
  max: number;
  grads: { shape: number[]; data: number[] }[];
  clipped: number[][];
  total?: number;
}
const { clip: cases } = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/goldens/optim.json'), 'utf8')) as { clip: ClipCase[] };

function gradMap(c: ClipCase, dtype: DType): [Tensor[], Map<Tensor, Tensor>] {
  const params = c.grads.map((g) => ak.zeros(g.shape, dtype));
  return [params, new Map(params.map((p, i) => [p, ak.tensor(c.grads[i]!.data, c.grads[i]!.shape, dtype)]))];
}

for (const dtype of ['float64', 'float32'] as const) {
  const rtol = dtype === 'float64' ? 1e-12 : 1e-6;
  for (const c of cases) {
    test(`clipGrad${c.kind === 'norm' ? 'Norm' : 'Value'} ${c.max} matches torch.nn.utils in ${dtype}`, () => {
      const [params, grads] = gradMap(c, dtype);
      const total = c.kind === 'norm' ? clipGradNorm(grads, c.max) : (clipGradValue(grads, c.max), undefined);
      if (c.total !== undefined) assert.ok(Math.abs(total! - c.total) <= rtol * c.total, `total norm ${total} vs ${c.total}`);
      params.forEach((p, i) => {
        const got = grads.get(p)!.data;
        c.clipped[i]!.forEach((v, k) => assert.ok(Math.abs(got[k]! - v) <= rtol * Math.abs(v) + 1e-15, `grad ${i}[${k}] ${got[k]} vs ${v}`));
      });
    });
  }
}

test('clipping replaces entries, so gradients that share one tensor are scaled once', () => {
  const [a, b] = [ak.zeros([2]), ak.zeros([2])];
  const shared = ak.tensor([3, 4]);
  const grads = new Map([[a, shared], [b, shared]]);
  const total = clipGradNorm(grads, 1);
  assert.equal(total, Math.sqrt(50));
  assert.deepEqual([...shared.data], [3, 4]);
  const coef = 1 / (Math.sqrt(50) + 1e-6);
  for (const p of [a, b]) assert.deepEqual([...grads.get(p)!.data], [Math.fround(3 * Math.fround(coef)), Math.fround(4 * Math.fround(coef))]);
});

test('bad limits are refused', () => {
  assert.throws(() => clipGradNorm(new Map(), 0), /clipGradNorm: maxNorm must be a positive finite number, got 0/);
  assert.throws(() => clipGradValue(new Map(), -1), /clipGradValue: clipValue must be a finite number ≥ 0, got -1/);
});
