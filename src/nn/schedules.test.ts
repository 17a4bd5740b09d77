import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createSchedule, type Schedule, type ScheduleConfig } from './schedules.js';
import { repoRoot } from '../../test/helpers.js';


interface ScheduleCase {
  config: ScheduleConfig;
  baseLr: number;
  metrics?: number[];
  lrs: number[];
}
const goldens = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/goldens/schedules.json'), 'utf8')) as { cases: ScheduleCase[] };

/** Drive a schedule as a trainer does, from epoch `from`; returns the rate of each epoch. */
function drive(s: Schedule, c: ScheduleCase, from = 0, to = c.lrs.length): number[] {
  const lrs: number[] = [];
  for (let e = from; e < to; e++) {
    lrs.push(s.lrFor(e));
    const next = s.onEpochEnd(e, c.metrics?.[e] ?? NaN);
    assert.equal(next, s.lrFor(e + 1));
  }
  return lrs;
}

function assertClose(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]!) <= 1e-12 * Math.abs(expected[i]!), `${what}: epoch ${i} lr ${a}, PyTorch ${expected[i]}`));
}

describe('schedules match torch.optim.lr_scheduler', () => {
  for (const c of goldens.cases) {
    test(JSON.stringify(c.config), () => assertClose(drive(createSchedule(c.config, c.baseLr), c), c.lrs, c.config.kind));

    test(`${JSON.stringify(c.config)}: state() half-way resumes exactly through JSON`, () => {
      const half = Math.floor(c.lrs.length / 2);
      const first = createSchedule(c.config, c.baseLr);
      const head = drive(first, c, 0, half);
      const second = createSchedule(c.config, c.baseLr);
      second.loadState(JSON.parse(JSON.stringify(first.state())));
      assert.deepEqual([...head, ...drive(second, c, half)], drive(createSchedule(c.config, c.baseLr), c));
    });
  }
  test('every kind has a golden', () => {
    assert.deepEqual([...new Set(goldens.cases.map((c) => c.config.kind))].sort(), ['cosine', 'reduceOnPlateau', 'step']);
  });
});

describe('schedules', () => {
  test('step and cosine by hand', () => {
    const step = createSchedule({ kind: 'step', stepSize: 2, gamma: 0.5 }, 1);
    assert.deepEqual([0, 1, 2, 3, 4].map((e) => step.lrFor(e)), [1, 1, 0.5, 0.5, 0.25]);
    const cos = createSchedule({ kind: 'cosine', tMax: 4, etaMin: 0 }, 2);
    assert.deepEqual([0, 2, 4].map((e) => cos.lrFor(e)), [2, 1, 0]);
    assert.equal(createSchedule({ kind: 'constant' }, 0.3).onEpochEnd(0, 1), 0.3);
  });

  test('reduceOnPlateau waits `patience` bad epochs, then reduces and cools down', () => {
    const s = createSchedule({ kind: 'reduceOnPlateau', factor: 0.5, patience: 1, cooldown: 1 }, 1);
    assert.deepEqual([1, 2, 2, 2, 2, 2].map((m, e) => s.onEpochEnd(e, m)), [1, 1, 0.5, 0.5, 0.5, 0.25]);
    assert.deepEqual(s.state(), { kind: 'reduceOnPlateau', epochsDone: 6, lr: 0.25, best: 1, numBadEpochs: 0, cooldownCounter: 1 });
  });

  test('misuse is refused with clear messages', () => {
    assert.throws(() => createSchedule({ kind: 'step', stepSize: 0 }, 0.1), /schedule 'step': stepSize must be an integer ≥ 1, got 0/);
    assert.throws(() => createSchedule({ kind: 'reduceOnPlateau', factor: 1 }, 0.1), /factor must be in \(0, 1\), got 1/);
    assert.throws(() => createSchedule({ kind: 'cosine', tMax: 5 }, -1), /base lr must be a finite number ≥ 0/);
    const s = createSchedule({ kind: 'cosine', tMax: 5 }, 0.1);
    assert.throws(() => s.onEpochEnd(3, 0), /onEpochEnd\(3\) out of order; expected epoch 0/);
    assert.throws(() => s.loadState({ kind: 'step' }), /schedule state is for 'step', but this schedule is 'cosine'/);
    assert.throws(() => s.loadState({ kind: 'cosine', epochsDone: 'x' }), /epochsDone must be a finite number/);
  });
});
