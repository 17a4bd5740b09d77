// Forward values and gradients of every op against PyTorch 1.13 goldens (tools/goldens.py):
// float64 to 1e-12 relative, float32 to 1e-5.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ak from '../index.js';
import type { DType, Tensor } from './index.js';
import { repoRoot } from '../../test/helpers.js';

await ak.setBackend('reference');


interface Arr {
  shape: number[];
  data: number[];
}
interface Args {
  axes?: number[] | null;
  keepDims?: boolean;
  perm?: number[];
  shape?: number[];
  transposeA?: boolean;
  transposeB?: boolean;
  slope?: number;
  alpha?: number;
  lo?: number;
  hi?: number;
  stride?: number;
  padding?: number;
  dilation?: number;
  outputPadding?: number;
  kernel?: number;
  factor?: number;
}
interface GoldenCase {
  name: string;
  op: string;
  args: Args;
  inputs: Arr[];
  out: Arr;
  w: number[];
  grads: (number[] | null)[];
}

const goldens = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/goldens/ops.json'), 'utf8')) as { cases: GoldenCase[] };

const unary = (f: (x: Tensor) => Tensor) => (xs: Tensor[]): Tensor => f(xs[0]!);
const binary = (f: (a: Tensor, b: Tensor) => Tensor) => (xs: Tensor[]): Tensor => f(xs[0]!, xs[1]!);
const axes = (a: Args): number[] | undefined => a.axes ?? undefined;

const OPS: Record<string, (xs: Tensor[], a: Args) => Tensor> = {
  add: binary(ak.add), sub: binary(ak.sub), mul: binary(ak.mul), div: binary(ak.div), pow: binary(ak.pow),
  maximum: binary(ak.maximum), minimum: binary(ak.minimum),
  where: ([c, a, b]) => ak.where(c!, a!, b!),
  neg: unary(ak.neg), abs: unary(ak.abs), exp: unary(ak.exp), log: unary(ak.log), log1p: unary(ak.log1p), sqrt: unary(ak.sqrt),
  tanh: unary(ak.tanh), sigmoid: unary(ak.sigmoid), relu: unary(ak.relu), erf: unary(ak.erf),
  cast: ([x]) => ak.cast(ak.cast(x!, 'float32'), x!.dtype),
  sum: ([x], a) => ak.sum(x!, axes(a), a.keepDims ?? false),
  max: ([x], a) => ak.max(x!, axes(a), a.keepDims ?? false),
  transpose: ([x], a) => ak.transpose(x!, a.perm!),
  broadcastTo: ([x], a) => ak.broadcastTo(x!, a.shape!),
  matmul: ([x, y], a) => ak.matmul(x!, y!, { transposeA: a.transposeA ?? false, transposeB: a.transposeB ?? false }),
  reshape: ([x], a) => ak.reshape(x!, a.shape!),
  softplus: unary(ak.softplus), gelu: unary(ak.gelu),
  leakyRelu: ([x], a) => ak.leakyRelu(x!, a.slope!),
  elu: ([x], a) => ak.elu(x!, a.alpha!),
  clip: ([x], a) => ak.clip(x!, a.lo!, a.hi!),
  mean: ([x], a) => ak.mean(x!, axes(a), a.keepDims ?? false),
  sumTo: ([x], a) => ak.sumTo(x!, a.shape!),
  conv2d: ([x, w, b], a) => ak.conv2d(x!, w!, b!, { stride: a.stride ?? 1, padding: a.padding ?? 0, dilation: a.dilation ?? 1 }),
  convTranspose2d: ([x, w, b], a) => ak.convTranspose2d(x!, w!, b!, { stride: a.stride ?? 1, padding: a.padding ?? 0, outputPadding: a.outputPadding ?? 0, dilation: a.dilation ?? 1 }),
  maxPool2d: ([x], a) => ak.maxPool2d(x!, { kernel: a.kernel!, stride: a.stride!, padding: a.padding ?? 0 }),
  avgPool2d: ([x], a) => ak.avgPool2d(x!, { kernel: a.kernel!, stride: a.stride!, padding: a.padding ?? 0 }),
  upsampleNearest: ([x], a) => ak.upsampleNearest(x!, a.factor!),
  upsampleBilinear: ([x], a) => ak.upsampleBilinear(x!, a.factor!),
};

/** Fails naming the worst element when |actual − expected| > atol + rtol·|expected| anywhere. */
function assertClose(actual: ArrayLike<number>, expected: readonly number[], rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    const ratio = Number.isNaN(err) ? Infinity : err / (atol + rtol * Math.abs(expected[i]!));
    if (ratio > worstRatio) [worst, worstRatio] = [i, ratio];
  }
  assert.ok(worstRatio <= 1, `${what}: element ${worst} is ${actual[worst]}, PyTorch gives ${expected[worst]} (${worstRatio.toPrecision(3)}× the tolerance)`);
}

/** Run a golden case in `dtype`; returns the output and the gradients of sum(out·w). */
function run(c: GoldenCase, dtype: DType): { out: Tensor; grads: (Tensor | undefined)[] } {
  const xs = c.inputs.map((a, i) => {
    const t = ak.tensor(a.data, a.shape, dtype);
    t.requiresGrad = c.grads[i] !== null;
    return t;
  });
  const out = OPS[c.op]!(xs, c.args);
  const w = ak.tensor(c.w, c.out.shape, dtype);
  const grads = ak.backward(ak.sum(ak.mul(out, w)));
  return { out, grads: xs.map((x) => grads.get(x)) };
}

const TOLERANCES: Record<DType, { rtol: number; atol: number }> = {
  float64: { rtol: 1e-12, atol: 1e-14 },
  float32: { rtol: 1e-5, atol: 1e-6 },
};

for (const dtype of ['float64', 'float32'] as const) {
  const { rtol, atol } = TOLERANCES[dtype];
  describe(`ops match PyTorch in ${dtype}`, () => {
    for (const c of goldens.cases) {
      test(c.name, () => {
        assert.ok(OPS[c.op], `no aekit op for golden op '${c.op}'`);
        ak.tidy(() => {
          const { out, grads } = run(c, dtype);
          assert.deepEqual([...out.shape], c.out.shape, `${c.name}: output shape`);
          assertClose(out.data, c.out.data, rtol, atol, `${c.name}: forward`);
          c.grads.forEach((g, i) => {
            if (g === null) return;
            const got = grads[i];
            assertClose(got ? got.data : new Float64Array(g.length), g, rtol, atol, `${c.name}: gradient of input ${i}`);
          });
        });
      });
    }
  });
}

test('the golden file covers every op the table knows', () => {
  const covered = new Set(goldens.cases.map((c) => c.op));
  assert.deepEqual(Object.keys(OPS).filter((op) => !covered.has(op)), []);
});

test('a perturbed value fails the comparison', () => {
  const c = goldens.cases.find((x) => x.op === 'exp')!;
  const wrong = c.out.data.map((v, i) => (i === 1 ? v * (1 + 1e-8) : v));
  assert.throws(() => assertClose(Float64Array.from(c.out.data), wrong, 1e-10, 1e-12, 'exp'), /element 1 is/);
});
