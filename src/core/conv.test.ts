// Convolution, transposed convolution, pooling and upsampling: values against direct loops written
// here from the definitions, the transposed convolution as the adjoint of the convolution,
// gradients against float64 central differences, and the native backend against the reference.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as ak from '../index.js';
import type { Tensor, Window2D } from './index.js';

await ak.setBackend('reference');

let seed = 1;
const rand = (shape: number[], dtype: 'float32' | 'float64' = 'float64'): Tensor => ak.randomUniform(shape, new ak.Rng(seed++), -1, 1, dtype);

/** Direct convolution from the definition: out[n, oy, ox, o] = b[o] + Σ x[n, iy, ix, c]·w[o, ky, kx, c]. */
function directConv(x: Tensor, w: Tensor, b: Tensor, win: Window2D): number[] {
  const [bn, h, wd, c] = x.shape as number[] as [number, number, number, number];
  const [co, kh, kw] = w.shape as number[] as [number, number, number];
  const [ho, wo] = ak.windowOutputSize(win, [h, wd]);
  const out: number[] = [];
  for (let n = 0; n < bn; n++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) for (let o = 0; o < co; o++) {
    let s = b.data[o]!;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * win.stride[0] - win.padding[0] + ky * win.dilation[0];
      const ix = ox * win.stride[1] - win.padding[2] + kx * win.dilation[1];
      if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
      for (let ci = 0; ci < c; ci++) s += x.data[((n * h + iy) * wd + ix) * c + ci]! * w.data[((o * kh + ky) * kw + kx) * c + ci]!;
    }
    out.push(s);
  }
  return out;
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-12): void {
  assert.equal(got.length, want.length, 'lengths differ');
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `element ${i}: ${got[i]} vs ${want[i]}`);
}

const dot = (a: Tensor, b: Tensor): number => ak.sum(ak.mul(a, b)).item();

const GEOMETRIES: { x: number[]; k: [number, number]; spec: ak.WindowSpec; cout: number }[] = [
  { x: [2, 6, 5, 3], k: [3, 3], spec: { kernel: 3, padding: 'same' }, cout: 4 },
  { x: [2, 7, 7, 2], k: [3, 3], spec: { kernel: 3, stride: 2, padding: 'same' }, cout: 3 },
  { x: [1, 8, 9, 2], k: [3, 2], spec: { kernel: [3, 2], stride: [2, 1], dilation: [2, 3], padding: [2, 0, 1, 3] }, cout: 2 },
  { x: [3, 4, 4, 5], k: [1, 1], spec: { kernel: 1 }, cout: 2 },
  { x: [1, 5, 5, 1], k: [5, 5], spec: { kernel: 5, padding: 'valid' }, cout: 3 },
  // fewer output than input channels at stride 1: computed as products then Col2Im with the kernel flipped
  { x: [2, 6, 7, 4], k: [3, 3], spec: { kernel: 3, padding: 'same' }, cout: 1 },
  { x: [1, 7, 6, 5], k: [3, 2], spec: { kernel: [3, 2], dilation: [2, 1], padding: [1, 3, 0, 1] }, cout: 2 },
  { x: [1, 7, 6, 5], k: [3, 3], spec: { kernel: 3, padding: 'valid' }, cout: 2 },
];

describe('conv2d', () => {
  for (const g of GEOMETRIES) {
    const label = `${JSON.stringify(g.spec)} on ${g.x.join('×')}`;
    test(`matches the direct loop: ${label}`, () => ak.tidy(() => {
      const x = rand(g.x);
      const w = rand([g.cout, ...g.k, g.x[3]!]);
      const b = rand([g.cout]);
      const { kernel: _k, ...rest } = g.spec;
      const y = ak.conv2d(x, w, b, rest);
      close(y.data, directConv(x, w, b, ak.makeWindow(g.spec, [g.x[1]!, g.x[2]!])));
    }));
    test(`gradients: ${label}`, () => {
      const x = rand(g.x);
      const w = rand([g.cout, ...g.k, g.x[3]!]);
      const b = rand([g.cout]);
      const { kernel: _k, ...rest } = g.spec;
      const r = ak.gradCheck((a, c, d) => ak.conv2d(a, c, d, rest, 'tanh'), [x, w, b]);
      assert.ok(r.ok, r.report);
    });
  }
  test('a kernel whose channels do not match the input is refused', () => {
    assert.throws(() => ak.conv2d(rand([1, 4, 4, 3]), rand([2, 3, 3, 2]), rand([2]), {}), /does not match 3 input channels/);
  });
  test('a kernel larger than the padded input is refused', () => {
    assert.throws(() => ak.conv2d(rand([1, 2, 2, 1]), rand([1, 3, 3, 1]), rand([1]), {}), /does not fit a 2×2 input/);
  });
});

describe('convTranspose2d', () => {
  const CASES: { x: number[]; k: [number, number]; spec: ak.ConvTransposeSpec; out: [number, number] }[] = [
    { x: [2, 7, 7, 3], k: [3, 3], spec: { stride: 2, padding: 'same' }, out: [14, 14] },
    { x: [1, 4, 5, 2], k: [3, 3], spec: { stride: 2, padding: 1, outputPadding: 1 }, out: [8, 10] },
    { x: [2, 3, 3, 2], k: [4, 2], spec: { stride: [2, 3], dilation: [1, 2] }, out: [8, 9] },
    { x: [1, 5, 5, 2], k: [3, 3], spec: { padding: 'same' }, out: [5, 5] },
  ];
  for (const c of CASES) {
    const label = `${JSON.stringify(c.spec)} on ${c.x.join('×')}`;
    test(`is the adjoint of conv2d with the same kernel: ${label}`, () => ak.tidy(() => {
      const cout = 3;
      const w = rand([c.x[3]!, ...c.k, cout]); // conv2d reads it as (Cout=x's C, kh, kw, Cin=cout)
      const x = rand(c.x);
      const y = ak.convTranspose2d(x, w, ak.zeros([cout], 'float64'), c.spec);
      assert.deepEqual(y.shape, [c.x[0], ...c.out, cout]);
      const u = rand([...y.shape]);
      const { window } = ak.convTransposeGeometry([c.x[1]!, c.x[2]!], c.k, c.spec);
      const back = ak.conv2d(u, w, ak.zeros([c.x[3]!], 'float64'), { stride: window.stride, dilation: window.dilation, padding: window.padding });
      assert.deepEqual(back.shape, c.x);
      const lhs = dot(y, u);
      const rhs = dot(x, back);
      assert.ok(Math.abs(lhs - rhs) < 1e-10 * (1 + Math.abs(lhs)), `⟨convᵀ x, u⟩ = ${lhs} but ⟨x, conv u⟩ = ${rhs}`);
    }));
    test(`gradients: ${label}`, () => {
      const r = ak.gradCheck((a, w, b) => ak.convTranspose2d(a, w, b, c.spec, 'sigmoid'), [rand(c.x), rand([c.x[3]!, ...c.k, 2]), rand([2])]);
      assert.ok(r.ok, r.report);
    });
  }
  test('output padding not less than the stride is refused', () => {
    assert.throws(() => ak.convTranspose2d(rand([1, 3, 3, 1]), rand([1, 3, 3, 1]), rand([1]), { stride: 2, padding: 1, outputPadding: 2 }), /output padding 2/);
  });
});

describe('pooling', () => {
  test('max pooling picks each window\'s maximum and never the padding', () => ak.tidy(() => {
    const x = ak.tensor([-1, -2, -3, -4, -5, -6, -7, -8, -9], [1, 3, 3, 1], 'float64');
    const y = ak.maxPool2d(x, { kernel: 2, padding: 'same' });
    assert.deepEqual(y.shape, [1, 2, 2, 1]);
    assert.deepEqual([...y.data], [-1, -3, -7, -9]);
  }));
  test('average pooling counts padding as zeros', () => ak.tidy(() => {
    const x = ak.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1], 'float64');
    const y = ak.avgPool2d(x, { kernel: 2, padding: [0, 1, 0, 1] });
    assert.deepEqual([...y.data], [3, 9 / 4, 15 / 4, 9 / 4]);
  }));
  test('max pooling 2×2 over channels matches a direct loop', () => ak.tidy(() => {
    const x = rand([2, 6, 4, 3]);
    const y = ak.maxPool2d(x, { kernel: 2 });
    const want: number[] = [];
    for (let n = 0; n < 2; n++) for (let oy = 0; oy < 3; oy++) for (let ox = 0; ox < 2; ox++) for (let c = 0; c < 3; c++) {
      let m = -Infinity;
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) m = Math.max(m, x.data[((n * 6 + 2 * oy + dy) * 4 + 2 * ox + dx) * 3 + c]!);
      want.push(m);
    }
    close(y.data, want);
  }));
  test('the MaxPool2D kernel and the composed fallback agree without ties (values and gradients)', () => ak.tidy(() => {
    const x = rand([2, 7, 6, 3]);
    x.requiresGrad = true;
    const spec = { kernel: 3, stride: 2, padding: 'same' as const };
    const a = ak.maxPool2d(x, spec);
    const b = ak.maxPool2dComposed(x, spec);
    close(a.data, b.data);
    const w = rand([...a.shape]);
    close(ak.backward(ak.sum(ak.mul(a, w))).get(x)!.data, ak.backward(ak.sum(ak.mul(b, w))).get(x)!.data);
  }));
  test('max pooling sends a tie\'s gradient to the first maximum, as PyTorch does', () => ak.tidy(() => {
    const x = ak.tensor([1, 1, 0, 1], [1, 2, 2, 1], 'float64');
    x.requiresGrad = true;
    const g = ak.backward(ak.sum(ak.maxPool2d(x, { kernel: 2 }))).get(x)!;
    assert.deepEqual([...g.data], [1, 0, 0, 0]);
  }));
  test('gradients of max and average pooling', () => {
    for (const f of [(a: Tensor) => ak.maxPool2d(a, { kernel: 3, stride: 2, padding: 'same' }), (a: Tensor) => ak.avgPool2d(a, { kernel: [2, 3], stride: 1, padding: 1 })]) {
      const r = ak.gradCheck(f, [rand([2, 5, 6, 2])]);
      assert.ok(r.ok, r.report);
    }
  });
});

describe('bias and activation', () => {
  for (const act of ['linear', 'relu', 'sigmoid', 'tanh'] as const) {
    test(`the BiasAct kernels and the composed act(x + b) agree (${act}, values and gradients)`, () => ak.tidy(() => {
      const x = rand([2, 5, 3, 7]);
      const b = rand([7]);
      x.requiresGrad = true;
      b.requiresGrad = true;
      const fused = ak.biasAct(x, b, act);
      const composed = ak.activate(ak.add(x, b), act);
      close(fused.data, composed.data);
      const w = rand([...fused.shape]);
      const gf = ak.backward(ak.sum(ak.mul(fused, w)));
      const gc = ak.backward(ak.sum(ak.mul(composed, w)));
      close(gf.get(x)!.data, gc.get(x)!.data);
      close(gf.get(b)!.data, gc.get(b)!.data);
    }));
  }
  test('biasAct passes the float64 gradient check', () => ak.tidy(() => {
    assert.ok(ak.gradCheck((x, b) => ak.biasAct(x!, b!, 'tanh'), [rand([2, 3, 4, 5]), rand([5])]).ok);
  }));
  test('BiasAct refuses a bias that does not match the last axis', () => {
    assert.throws(() => ak.biasAct(rand([2, 3]), rand([4]), 'relu'), /BiasAct: expected x \(…, C\) and b \(C\); got \[2, 3\] and \[4\]/);
  });
});

describe('upsampling', () => {
  test('nearest repeats each pixel', () => ak.tidy(() => {
    const y = ak.upsampleNearest(ak.tensor([1, 2, 3, 4], [1, 2, 2, 1], 'float64'), [2, 3]);
    assert.deepEqual(y.shape, [1, 4, 6, 1]);
    assert.deepEqual([...y.data], [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4]);
  }));
  test('bilinear uses half-pixel centres (PyTorch align_corners=False)', () => ak.tidy(() => {
    // torch.nn.functional.interpolate(tensor([[[[1., 2.]]]]), scale_factor=2, mode='bilinear') along W
    const y = ak.upsampleBilinear(ak.tensor([1, 2], [1, 1, 2, 1], 'float64'), [1, 2]);
    assert.deepEqual([...y.data], [1, 1.25, 1.75, 2]);
    const z = ak.upsampleBilinear(ak.tensor([1, 2, 3, 4], [1, 2, 2, 1], 'float64'), 2);
    close(z.data.slice(4, 8), [1.5, 1.75, 2.25, 2.5]);
  }));
  test('gradients of both upsamplings', () => {
    for (const f of [(a: Tensor) => ak.upsampleNearest(a, 2), (a: Tensor) => ak.upsampleBilinear(a, [2, 3])]) {
      const r = ak.gradCheck(f, [rand([2, 3, 2, 2])]);
      assert.ok(r.ok, r.report);
    }
  });
});

describe('native backend against the reference (float32, 1e-4 relative)', async () => {
  const native = ak.registeredBackends().includes('native') ? await ak.setBackend('native').then(() => true, () => false) : false;
  await ak.setBackend('reference');
  test('conv net forward and every gradient agree', { skip: native ? false : 'native backend unavailable' }, async () => {
    const run = (): number[][] => ak.tidy(() => {
      const s = 99;
      const x = ak.randomUniform([4, 12, 12, 2], new ak.Rng(s), 0, 1);
      const w1 = ak.randomUniform([8, 3, 3, 2], new ak.Rng(s + 1), -0.5, 0.5);
      const b1 = ak.randomUniform([8], new ak.Rng(s + 2), -0.1, 0.1);
      const w2 = ak.randomUniform([8, 3, 3, 3], new ak.Rng(s + 3), -0.5, 0.5);
      const b2 = ak.randomUniform([3], new ak.Rng(s + 4), -0.1, 0.1);
      for (const t of [x, w1, b1, w2, b2]) t.requiresGrad = true;
      const h = ak.maxPool2d(ak.conv2d(x, w1, b1, { padding: 'same' }, 'relu'), { kernel: 2 });
      const a = ak.avgPool2d(h, { kernel: 3, stride: 1, padding: 1 });
      const u = ak.upsampleBilinear(ak.convTranspose2d(a, w2, b2, { stride: 2, padding: 'same' }, 'tanh'), 1);
      const loss = ak.mean(ak.square(ak.upsampleNearest(u, 1)));
      const g = ak.backward(loss);
      return [[loss.item()], ...[x, w1, b1, w2, b2].map((t) => [...g.get(t)!.data])];
    });
    const want = run();
    await ak.setBackend('native');
    try {
      const got = run();
      assert.equal(ak.firstDisagreement(got, want, 1e-4, ['native', 'reference']), null);
    } finally {
      await ak.setBackend('reference');
    }
  });
});

describe('fused convolution kernels (native) against the composed path (reference)', async () => {
  const native = ak.registeredBackends().includes('native') ? await ak.setBackend('native').then(() => true, () => false) : false;
  await ak.setBackend('reference');
  const skip = native ? false : 'native backend unavailable';
  const ACTS = ['linear', 'relu', 'sigmoid', 'tanh'] as const;
  // Chunk edges (5 images of 14×14×32 are chunks of 2, 2 and 1), one image, Cin 1/3/32, Cout 1/17/32,
  // stride 1 and 2, same/valid padding, dilation 2.
  const CONVS: { x: number[]; cout: number; spec: Omit<ak.WindowSpec, 'kernel'> }[] = [
    { x: [5, 14, 14, 32], cout: 32, spec: { padding: 'same' } },
    { x: [1, 9, 8, 3], cout: 17, spec: { padding: 'valid' } },
    { x: [3, 11, 10, 1], cout: 32, spec: { stride: 2, padding: 'same' } },
    { x: [2, 9, 9, 32], cout: 1, spec: { stride: 2, padding: 'valid' } },
    { x: [2, 10, 9, 3], cout: 17, spec: { dilation: 2, padding: 'same' } },
  ];
  const TRANSPOSES: { x: number[]; cout: number; k: [number, number]; spec: ak.ConvTransposeSpec }[] = [
    { x: [5, 14, 14, 32], cout: 32, k: [3, 3], spec: { stride: 2, padding: 'same' } },
    { x: [1, 4, 5, 3], cout: 17, k: [3, 3], spec: { stride: 2, padding: 1, outputPadding: 1 } },
    { x: [3, 5, 5, 1], cout: 1, k: [3, 3], spec: { dilation: 2, padding: 'valid' } },
  ];
  /** The same float32-representable values in [−1, 1) on either side, in `dtype`. */
  const values = (shape: number[], seed: number, dtype: 'float32' | 'float64'): Tensor => {
    const rng = new ak.Rng(seed);
    return ak.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.fround(2 * rng.uniform() - 1)), shape, dtype);
  };
  /** y of one layer and every gradient of Σ y·u, with the op of y's grad node (float64 on the reference, the oracle). */
  const layer = (f: (x: Tensor, w: Tensor, b: Tensor) => Tensor, shapes: number[][]): { op: string; values: number[][] } => ak.tidy(() => {
    const dtype = ak.getBackend().dtypes.includes('float64') ? 'float64' : 'float32';
    const [x, w, b] = shapes.map((s, i) => values(s, 7 + i, dtype));
    for (const t of [x!, w!, b!]) t.requiresGrad = true;
    const y = f(x!, w!, b!);
    const u = values([...y.shape], 3, dtype);
    const g = ak.backward(ak.sum(ak.mul(y, u)));
    return { op: y.node?.op ?? '', values: [[...y.data], ...[x!, w!, b!].map((t) => [...g.get(t)!.data])] };
  });
  const cases = [
    ...CONVS.flatMap((c) => ACTS.map((act) => ({
      label: `conv2d ${act} ${JSON.stringify(c.spec)} on ${c.x.join('×')} → ${c.cout}`, op: 'Conv2D',
      run: () => layer((x, w, b) => ak.conv2d(x, w, b, c.spec, act), [c.x, [c.cout, 3, 3, c.x[3]!], [c.cout]]),
    }))),
    ...TRANSPOSES.flatMap((c) => ACTS.map((act) => ({
      label: `convTranspose2d ${act} ${JSON.stringify(c.spec)} on ${c.x.join('×')} → ${c.cout}`, op: 'ConvTranspose2D',
      run: () => layer((x, w, b) => ak.convTranspose2d(x, w, b, c.spec, act), [c.x, [c.x[3]!, ...c.k, c.cout], [c.cout]]),
    }))),
  ];
  /**
   * The first element off by more than rtol × the largest magnitude of its tensor: a sum of
   * hundreds of float32 products that cancels to near zero carries the rounding of its terms, not of itself.
   */
  const worstRelative = (got: number[][], want: number[][], rtol: number): string | null => {
    for (let i = 0; i < want.length; i++) {
      const scale = want[i]!.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const j = want[i]!.findIndex((v, k) => !(Math.abs(got[i]![k]! - v) <= rtol * scale));
      if (got[i]!.length !== want[i]!.length || j >= 0) return `tensor ${i} element ${j}: native ${got[i]![j]}, reference ${want[i]![j]} (scale ${scale})`;
    }
    return null;
  };
  for (const c of cases) {
    test(`${c.label}: values and gradients within 1e-4`, { skip }, async () => {
      const want = c.run();
      await ak.setBackend('native');
      try {
        const got = c.run();
        assert.equal(got.op, c.op, 'the native backend took the fused kernel');
        assert.notEqual(want.op, c.op, 'the reference took the composed path');
        assert.equal(worstRelative(got.values, want.values, 1e-4), null);
      } finally {
        await ak.setBackend('reference');
      }
    });
  }
  test('1 and 2 threads give bit-identical values and gradients', { skip }, async () => {
    const be = await ak.setBackend('native');
    const before = Number(be.describe()['threads']);
    try {
      const runs = [1, 2].map((n) => {
        be.setThreads!(n);
        return [cases[0]!, cases[3]!, cases[CONVS.length * ACTS.length]!].map((c) => c.run().values);
      });
      assert.deepEqual(runs[1], runs[0]);
    } finally {
      be.setThreads!(before);
      await ak.setBackend('reference');
    }
  });
  test('the kernels refuse shapes that do not fit, naming the kernel and the shapes', { skip }, async () => {
    const be = await ak.setBackend('native');
    try {
      const window = ak.makeWindow({ kernel: 3, padding: 'same' }, [5, 5]);
      const t = (shape: number[]): ak.TensorInfo => ({ shape, dtype: 'float32', data: be.alloc('float32', shape.reduce((a, b) => a * b, 1)) });
      const conv = ak.getKernel('native', 'Conv2D');
      assert.throws(() => conv([t([2, 5, 5, 3]), t([4, 3, 3, 2]), t([4])], { window, activation: 'relu' }, be), /Conv2D: expected x \(B, H, W, Cin\), w \(Cout, 3, 3, Cin\), b \(Cout\); got \[2, 5, 5, 3\], \[4, 3, 3, 2\], \[4\]/);
      assert.throws(() => conv([t([2, 5, 5, 3]), t([4, 3, 3, 3]), t([5])], { window, activation: 'relu' }, be), /Conv2D: expected .* b \(Cout\)/);
      const grad = ak.getKernel('native', 'Conv2DGrad');
      assert.throws(() => grad([t([2, 5, 5, 3]), t([2, 5, 5, 3]), t([4, 3, 3, 3]), t([2, 5, 5, 4])], { window, activation: 'relu', inputGrad: true }, be), /Conv2DGrad: dy \[2, 5, 5, 3\] must be \[2, 5, 5, 4\]/);
      const { window: tw } = ak.convTransposeGeometry([7, 7], [3, 3], { stride: 2, padding: 'same' });
      const convT = ak.getKernel('native', 'ConvTranspose2D');
      assert.throws(() => convT([t([1, 6, 7, 2]), t([2, 3, 3, 4]), t([4])], { window: tw, size: [14, 14], activation: 'tanh' }, be), /ConvTranspose2D: the window maps a 14×14 output to 7×7, not the input's 6×7/);
    } finally {
      await ak.setBackend('reference');
    }
  });
});
