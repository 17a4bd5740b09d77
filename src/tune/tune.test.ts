import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { registerBuiltinModels } from '../models/index.js';
import { mergeConfig, PRESETS } from '../train/config.js';
import { shouldPrune } from './pruner.js';
import { gridPoints, makeSampler, randomParams, type Observation } from './sampler.js';
import { parseSpace, toOverrides, validateSpace, type Params } from './space.js';

const SPACE = parseSpace({
  'optimizer.lr': { type: 'float', low: 1e-4, high: 1e-2, log: true },
  depth: { type: 'int', low: 1, high: 3 },
  'model.hidden[0]': { type: 'int', low: 8, high: 64 },
  'model.hidden[1]': { type: 'int', low: 8, high: 64, when: { depth: { min: 2 } } },
  'model.hidden[2]': { type: 'int', low: 8, high: 64, when: { depth: { min: 3 } } },
  'model.activation': { type: 'choice', values: ['relu', 'tanh', 'sigmoid'] },
});

test('random samples honour bounds, conditions and seeds', () => {
  for (let i = 0; i < 300; i++) {
    const p = randomParams(SPACE, Rng.derive(7, i));
    assert.ok((p['optimizer.lr'] as number) >= 1e-4 && (p['optimizer.lr'] as number) <= 1e-2);
    for (const k of ['model.hidden[0]', 'model.hidden[1]', 'model.hidden[2]']) if (p[k] !== undefined) assert.ok(Number.isInteger(p[k]) && (p[k] as number) >= 8 && (p[k] as number) <= 64);
    const depth = p.depth as number;
    assert.equal(p['model.hidden[1]'] !== undefined, depth >= 2);
    assert.equal(p['model.hidden[2]'] !== undefined, depth >= 3);
    assert.equal((toOverrides(p).model as { hidden: number[] }).hidden.length, depth);
  }
  assert.deepEqual(randomParams(SPACE, Rng.derive(3, 5)), randomParams(SPACE, Rng.derive(3, 5)));
  assert.notDeepEqual(randomParams(SPACE, Rng.derive(3, 5)), randomParams(SPACE, Rng.derive(4, 5)));
});

test('the grid leaves inactive parameters out and has no duplicates', () => {
  const g = gridPoints(parseSpace({ depth: { type: 'int', low: 1, high: 2 }, w: { type: 'choice', values: [1, 2, 3], when: { depth: { min: 2 } } } }));
  assert.deepEqual(g, [{ depth: 1 }, { depth: 2, w: 1 }, { depth: 2, w: 2 }, { depth: 2, w: 3 }]);
});

test('bad spaces are refused with the parameter named, before any trial', () => {
  registerBuiltinModels();
  const base = mergeConfig({}, PRESETS.default!.config);
  assert.throws(() => validateSpace(parseSpace({ 'optimizer.lrr': { type: 'float', low: 0.1, high: 1 } }), base), /optimizer\.lrr.*lrr/);
  assert.throws(() => validateSpace(parseSpace({ 'optimizer.lr': { type: 'float', low: -1, high: 1 } }), base), /optimizer\.lr': low -1/);
  assert.throws(() => validateSpace(parseSpace({ 'model.activation': { type: 'choice', values: ['relu', 'swish'] } }), base), /choice "swish"/);
  assert.throws(() => validateSpace(parseSpace({ 'model.hidden[0]': { type: 'int', low: 0, high: 4 } }), base), /hidden\[0\]': low 0/);
  assert.throws(() => parseSpace({ a: { type: 'int', low: 1, high: 2, when: { b: { min: 1 } } } }), /not a parameter declared before/);
  assert.throws(() => parseSpace({ a: { type: 'float', low: 0, high: 1, log: true } }), /log-scale range needs low > 0/);
  validateSpace(SPACE, base);
});

/** A cheap synthetic objective with its optimum at lr = 1e-3, x = 0.3, choice 'b'. */
function objective(p: Params): number {
  return (Math.log10(p.lr as number) + 3) ** 2 + 4 * ((p.x as number) - 0.3) ** 2 + (p.c === 'b' ? 0 : 0.5);
}
const SYN = parseSpace({ lr: { type: 'float', low: 1e-5, high: 1e-1, log: true }, x: { type: 'float', low: -1, high: 1 }, c: { type: 'choice', values: ['a', 'b', 'c'] } });

export function bestSoFar(sampler: 'tpe' | 'random', seed: number, n: number): number[] {
  const s = makeSampler(sampler, SYN, seed);
  const hist: Observation[] = [];
  const curve: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = s.suggest(i, hist)!;
    hist.push({ params: p, loss: objective(p) });
    curve.push(Math.min(curve.at(-1) ?? Infinity, objective(p)));
  }
  return curve;
}

test('TPE concentrates samples near the optimum and beats random search on average', () => {
  const s = makeSampler('tpe', SYN, 11);
  const hist: Observation[] = [];
  for (let i = 0; i < 60; i++) {
    const p = s.suggest(i, hist)!;
    hist.push({ params: p, loss: objective(p) });
  }
  const near = (h: Observation[]) => h.filter((o) => Math.abs(Math.log10(o.params.lr as number) + 3) < 0.75).length / h.length;
  assert.ok(near(hist.slice(40)) > 2 * near(hist.slice(0, 10)) || near(hist.slice(40)) > 0.6, `late TPE samples near the optimum: ${near(hist.slice(40))}`);
  let [tpe, rnd] = [0, 0];
  for (let seed = 0; seed < 10; seed++) {
    tpe += bestSoFar('tpe', seed, 50).at(-1)!;
    rnd += bestSoFar('random', seed, 50).at(-1)!;
  }
  assert.ok(tpe < rnd, `mean best after 50: TPE ${tpe / 10} random ${rnd / 10}`);
});

test('median and ASHA pruning', () => {
  const at = new Map([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]);
  assert.equal(shouldPrune('median', 4, 2, 5, at), true);
  assert.equal(shouldPrune('median', 0, 2, 1, at), false);
  assert.equal(shouldPrune('median', 4, 2, 5, new Map([[0, 1], [4, 5]])), false, 'too few trials to judge');
  const rung = new Map([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
  assert.equal(shouldPrune('asha', 1, 3, 2, rung), false, 'top third goes on');
  assert.equal(shouldPrune('asha', 2, 3, 3, rung), true);
  assert.equal(shouldPrune('asha', 2, 2, 3, rung), false, 'epoch 2 is not a rung for η = 3');
  assert.equal(shouldPrune('none', 4, 2, 5, at), false);
  assert.equal(shouldPrune('median', 4, 1, 5, at), true, 'the median rule judges from the first epoch done (no warm-up by default)');
  assert.equal(shouldPrune('asha', 2, 1, 3, rung), true, 'the first rung is one epoch done');
});
