import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../index.js';
import { makeDataset } from '../data/index.js';
import { createModel, parseModelConfig, registerBuiltinModels } from '../models/index.js';
import { createOptimizer } from '../nn/optim/index.js';
import { parseRunConfig } from './config.js';
import type { TrainEvent } from './events.js';
import { makeSchedule } from './schedule.js';
import { train } from './trainer.js';

await ak.setBackend('reference');
registerBuiltinModels();

function data(n: number, seed: number) {
  const rng = new ak.Rng(seed);
  const x = new Float32Array(n * 6);
  for (let i = 0; i < n; i++) {
    const a = rng.uniform();
    for (let j = 0; j < 6; j++) x[i * 6 + j] = j % 2 ? a : 1 - a;
  }
  return makeDataset({ x, sampleShape: [6], source: `synthetic(${seed})` });
}

function run(trainOver: Record<string, unknown>, lr: number) {
  const config = parseRunConfig({ train: { batchSize: 16, seed: 1, ...trainOver }, optimizer: { lr } });
  const model = createModel(parseModelConfig({ kind: 'dense', inputDim: 6, hidden: [8], latentDim: 1, activation: 'tanh' }), new ak.Rng(1));
  const events: TrainEvent[] = [];
  const result = train({
    model, optimizer: createOptimizer({ kind: 'adam', lr }), schedule: makeSchedule(config.train, lr), config: config.train,
    train: data(64, 1), val: data(32, 2), onEvent: (e) => events.push(e),
  });
  return { result, events };
}

test('training lowers the validation loss and emits the event stream in order', () => {
  const { result, events } = run({ epochs: 30 }, 0.05);
  const h = result.state.history;
  assert.equal(h.length, 30);
  assert.ok(h[29]!.valLoss! < h[0]!.valLoss! - 0.01, `val ${h[0]!.valLoss} → ${h[29]!.valLoss}`);
  assert.equal(events[0]!.type, 'run_start');
  assert.equal(events.filter((e) => e.type === 'step').length, 30 * 4);
  assert.deepEqual(events.filter((e) => e.type === 'epoch_end').map((e) => (e as { epoch: number }).epoch), Array.from({ length: 30 }, (_, i) => i));
});

test('early stopping ends the run after `earlyStopping` epochs without improvement', () => {
  // A learning rate this small cannot improve the validation loss by minDelta.
  const { result, events } = run({ epochs: 20, earlyStopping: 2, minDelta: 1 }, 1e-9);
  assert.equal(result.status, 'early_stopped');
  assert.equal(result.state.epochsDone, 3);
  assert.ok(events.some((e) => e.type === 'early_stop'));
});

test('a step schedule divides the rate every stepSize epochs', () => {
  const { result } = run({ epochs: 4, schedule: 'step', stepSize: 2, gamma: 0.5 }, 0.01);
  assert.deepEqual(result.state.history.map((r) => r.lr), [0.01, 0.01, 0.005, 0.005]);
});
