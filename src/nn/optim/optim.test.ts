import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as ak from '../../index.js';
import type { DType, Tensor } from '../../core/index.js';
import { createOptimizer, type Optimizer, type OptimizerConfig, type OptimizerState } from './index.js';
import { repoRoot } from '../../../test/helpers.js';

await ak.setBackend('reference');


interface Arr {
  shape: number[];
  data: number[];
}
interface OptimGoldens {
  params: Arr[];
  grads: number[][][];
  cases: { config: OptimizerConfig; lrs: number[]; history: number[][][] }[];
}
const goldens = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/goldens/optim.json'), 'utf8')) as OptimGoldens;

function makeParams(dtype: DType): Tensor[] {
  return goldens.params.map((a, i) => {
    const t = ak.keep(ak.tensor(a.data, a.shape, dtype));
    t.name = `layers.${i}.weight`;
    t.requiresGrad = true;
    return t;
  });
}

/** Step `opt` through golden steps [from, to), setting each step's lr; returns the params after each. */
function runSteps(opt: Optimizer, params: Tensor[], from: number, to: number, lrs: readonly number[]): Float64Array[][] {
  const history: Float64Array[][] = [];
  for (let s = from; s < to; s++) {
    opt.lr = lrs[s]!;
    ak.tidy(() => {
      const grads = new Map(params.map((p, i) => [p, ak.tensor(goldens.grads[s]![i]!, p.shape, p.dtype)] as const));
      opt.step(params, grads);
    });
    history.push(params.map((p) => Float64Array.from(p.data)));
  }
  return history;
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], rtol: number, atol: number, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const ok = Math.abs(actual[i]! - expected[i]!) <= atol + rtol * Math.abs(expected[i]!);
    assert.ok(ok, `${what}: element ${i} is ${actual[i]}, PyTorch gives ${expected[i]}`);
  }
}

const label = (c: OptimizerConfig, lrs: readonly number[]): string => `${JSON.stringify(c)}${new Set(lrs).size > 1 ? ' with lr changing' : ''}`;

describe('optimizers match PyTorch over 5 steps', () => {
  for (const { config, lrs, history } of goldens.cases) {
    for (const [dtype, fused, rtol, atol] of [['float64', true, 1e-12, 1e-14], ['float64', false, 1e-12, 1e-14], ['float32', true, 1e-5, 1e-6]] as const) {
      test(`${label(config, lrs)} ${dtype} ${fused ? 'fused' : 'decomposed'}`, () => {
        const params = makeParams(dtype);
        const opt = createOptimizer(config, { fused });
        const got = runSteps(opt, params, 0, lrs.length, lrs);
        got.forEach((ps, s) => ps.forEach((p, i) => assertClose(p, history[s]![i]!, rtol, atol, `step ${s + 1} param ${i}`)));
        opt.dispose();
        for (const p of params) p.dispose();
      });
    }
  }
});

describe('optimizer paths and resume', () => {
  for (const { config, lrs } of goldens.cases.filter((c) => new Set(c.lrs).size === 1)) {
    test(`${label(config, lrs)}: fused and decomposed agree bit for bit in float64, to rounding in float32`, () => {
      for (const dtype of ['float64', 'float32'] as const) {
        const [pa, pb] = [makeParams(dtype), makeParams(dtype)];
        const a = runSteps(createOptimizer(config, { fused: true }), pa, 0, 5, lrs);
        const b = runSteps(createOptimizer(config, { fused: false }), pb, 0, 5, lrs);
        if (dtype === 'float64') assert.deepEqual(a, b);
        else a.forEach((ps, s) => ps.forEach((p, i) => assertClose(p, [...b[s]![i]!], 1e-5, 1e-6, `float32 step ${s + 1} param ${i}`)));
      }
    });

    test(`${label(config, lrs)}: stateDict after 2 steps resumes bit-identically`, () => {
      for (const dtype of ['float64', 'float32'] as const) {
        const straight = runSteps(createOptimizer(config), makeParams(dtype), 0, 5, lrs);
        const params = makeParams(dtype);
        const first = createOptimizer(config);
        runSteps(first, params, 0, 2, lrs);
        const saved = structuredClone(first.stateDict());
        first.dispose();
        const second = createOptimizer(config);
        second.loadStateDict(saved);
        assert.equal(second.stateDict().step, 2);
        assert.deepEqual(runSteps(second, params, 2, 5, lrs), straight.slice(2));
      }
    });
  }
});

describe('hand-computed single steps', () => {
  const named = (values: number[], name = 'w'): Tensor => {
    const t = ak.tensor(values, [values.length], 'float64');
    t.name = name;
    return t;
  };
  const step = (opt: Optimizer, p: Tensor, g: number[]): void => opt.step([p], new Map([[p, ak.tensor(g, p.shape, 'float64')]]));

  test('sgd: p − lr·(g + λp)', () => {
    const p = named([1, -2]);
    step(createOptimizer({ kind: 'sgd', lr: 0.1, weightDecay: 0.5 }), p, [0.5, 1]);
    assert.deepEqual([...p.data], [1 - 0.1 * (0.5 + 0.5 * 1), -2 - 0.1 * (1 + 0.5 * -2)]);
  });

  test('momentum: the first velocity is the gradient, the second μv + g', () => {
    const p = named([1]);
    const opt = createOptimizer({ kind: 'momentum', lr: 0.1, momentum: 0.9 });
    step(opt, p, [2]);
    assert.deepEqual([...p.data], [1 - 0.1 * 2]);
    step(opt, p, [1]);
    assert.deepEqual([...p.data], [1 - 0.1 * 2 - 0.1 * (0.9 * 2 + 1)]);
  });

  test('adam: the first step moves each weight by about lr against the gradient sign', () => {
    for (const fused of [true, false]) {
      const p = named([1, 1]);
      const opt = createOptimizer({ kind: 'adam', lr: 0.1 }, { fused });
      step(opt, p, [0.5, -3]);
      // m̂ = g and v̂ = g² after bias correction, so the step is lr·g/(|g| + ε).
      const expect = (g: number): number => 1 - (0.1 * ((1 - 0.9) * g)) / (1 - 0.9) / (Math.sqrt((1 - 0.999) * g * g) / Math.sqrt(1 - 0.999) + 1e-8);
      assertClose(p.data, [expect(0.5), expect(-3)], 1e-15, 0, `adam fused=${fused}`);
      assert.ok(Math.abs(p.data[0]! - 0.9) < 1e-7 && Math.abs(p.data[1]! - 1.1) < 1e-7);
      const s = opt.stateDict();
      assert.deepEqual(Object.keys(s.buffers).sort(), ['w.exp_avg', 'w.exp_avg_sq', 'w.step']);
      assertClose(s.buffers['w.exp_avg']!.data, [0.05, -0.3], 1e-15, 0, 'exp_avg');
    }
  });

  test('adamw decays the weight by lr·λ before the Adam step', () => {
    const [p, q] = [named([2]), named([2])];
    step(createOptimizer({ kind: 'adamw', lr: 0.1, weightDecay: 0.5 }), p, [1]);
    step(createOptimizer({ kind: 'adam', lr: 0.1 }), q, [1]);
    assertClose(p.data, [q.data[0]! - 2 * 0.1 * 0.5], 1e-15, 0, 'adamw');
  });
});

describe('optimizer bookkeeping', () => {
  test('a step neither leaks tensors nor records gradient nodes, and dispose frees the state', () => {
    for (const kind of ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw'] as const) {
      for (const fused of [true, false]) {
        const base = ak.numTensors();
        const params = makeParams('float32');
        const opt = createOptimizer({ kind, lr: 0.01, weightDecay: 0.1, momentum: 0.5 }, { fused });
        runSteps(opt, params, 0, 1, [0.01]);
        const afterFirst = ak.numTensors();
        runSteps(opt, params, 1, 3, [0.01, 0.01, 0.01]);
        assert.equal(ak.numTensors(), afterFirst, `${kind} fused=${fused}`);
        assert.ok(params.every((p) => p.node === null));
        opt.dispose();
        for (const p of params) p.dispose();
        assert.equal(ak.numTensors(), base, `${kind} fused=${fused} after dispose`);
      }
    }
  });

  test('parameters without a gradient are skipped and keep their own step count (as PyTorch)', () => {
    const [a, b] = makeParams('float64');
    const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
    const gradOf = (p: Tensor, s: number): Tensor => ak.tensor(goldens.grads[s]![p === a ? 0 : 1]!, p.shape, 'float64');
    const before = Float64Array.from(b!.data);
    opt.step([a!, b!], new Map([[a!, gradOf(a!, 0)]]));
    assert.deepEqual(Float64Array.from(b!.data), before);
    opt.step([a!, b!], new Map([[a!, gradOf(a!, 1)], [b!, gradOf(b!, 0)]]));
    const s = opt.stateDict();
    assert.deepEqual([s.step, s.buffers['layers.0.weight.step']!.data[0], s.buffers['layers.1.weight.step']!.data[0]], [2, 2, 1]);
    // b's single update equals a fresh optimizer's first step.
    const fresh = makeParams('float64')[1]!;
    createOptimizer({ kind: 'adam', lr: 0.01 }).step([fresh], new Map([[fresh, gradOf(b!, 0)]]));
    assert.deepEqual(Float64Array.from(b!.data), Float64Array.from(fresh.data));
  });

  test('bad configs, parameters and states are refused with clear messages', () => {
    assert.throws(() => createOptimizer({ kind: 'adam', lr: 0.1, beta2: 1 }), /optimizer config: beta2: 1 must be < 1/);
    assert.throws(() => createOptimizer({ kind: 'sgd', lr: -1 }), /optimizer config: lr: -1 must be > 0/);
    assert.throws(() => createOptimizer({ kind: 'nesterov', lr: 0.1, momentum: 0 }), /nesterov needs momentum > 0/);
    assert.throws(() => createOptimizer({ kind: 'lion' as 'adam', lr: 0.1 }), /optimizer config: kind: "lion" is not one of sgd, momentum/);
    const opt = createOptimizer({ kind: 'adam', lr: 0.1 });
    const p = ak.zeros([2]);
    assert.throws(() => opt.step([p], new Map()), /parameter 0 .* has no name/);
    p.name = 'w';
    assert.throws(() => opt.step([p, p], new Map()), /two parameters are named 'w'/);
    assert.throws(() => opt.step([p], new Map([[p, ak.zeros([3])]])), /gradient of 'w' is \[3\] float32, the parameter is \[2\] float32/);
    const state: OptimizerState = { kind: 'adam', step: 1, lr: 0.1, buffers: { 'w.momentum_buffer': { shape: [2], data: new Float32Array(2) } } };
    assert.throws(() => opt.loadStateDict(state), /buffer 'w.momentum_buffer' is not a adam buffer/);
    assert.throws(() => opt.loadStateDict({ ...state, kind: 'sgd' }), /state is for 'sgd', but this optimizer is 'adam'/);
    opt.loadStateDict({ ...state, buffers: { 'w.exp_avg': { shape: [3], data: new Float32Array(3) } } });
    assert.throws(() => opt.step([p], new Map([[p, ak.zeros([2])]])), /state buffer 'w.exp_avg' has shape \[3\] but the parameter is \[2\]/);
  });

  test('the reference update kernels refuse buffers of the wrong size, naming kernel and buffer', () => {
    const [p, g] = [ak.zeros([3]), ak.zeros([3])];
    const attrs = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, step: 1 };
    assert.throws(() => ak.runKernelMulti('AdamUpdate', [p, g, ak.zeros([3]), ak.zeros([2])], attrs), /AdamUpdate: exp_avg_sq \[2\] does not match param \[3\]/);
    assert.throws(() => ak.runKernelMulti('AdamUpdate', [p, g, ak.zeros([3]), ak.zeros([3])], { ...attrs, step: 0 }), /AdamUpdate: step counts from 1/);
    const rms = { lr: 0.1, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0.9 };
    assert.throws(() => ak.runKernelMulti('RmspropUpdate', [p, g, ak.zeros([3]), ak.zeros([0])], rms), /RmspropUpdate: momentum_buffer \[0\] does not match/);
  });

  test("plain 'sgd' ignores momentum and keeps no buffers; config holds the resolved defaults", () => {
    const opt = createOptimizer({ kind: 'sgd', lr: 0.1, momentum: 0.9 });
    assert.equal(opt.config.momentum, 0);
    assert.deepEqual(createOptimizer({ kind: 'adamw', lr: 1e-3 }).config, { kind: 'adamw', lr: 1e-3, momentum: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, alpha: 0.99 });
    const [p] = makeParams('float32');
    runSteps(opt, [p!], 0, 1, [0.1]);
    assert.deepEqual(Object.keys(opt.stateDict().buffers), ['layers.0.weight.step']);
  });
});
