import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../index.js';
import { makeDataset } from '../data/index.js';
import { Autoencoder, createModel, parseModelConfig, registerBuiltinModels, type AutoencoderOutput, type ForwardOptions } from '../models/index.js';
import { createOptimizer } from '../nn/optim/index.js';
import { parseRunConfig } from './config.js';
import type { TrainEvent } from './events.js';
import { makeSchedule } from './schedule.js';
import { train, type TrainState } from './trainer.js';

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

async function run(trainOver: Record<string, unknown>, lr: number, signal?: AbortSignal) {
  const config = parseRunConfig({ train: { batchSize: 16, seed: 1, ...trainOver }, optimizer: { lr } });
  const model = createModel(parseModelConfig({ kind: 'dense', inputDim: 6, hidden: [8], latentDim: 1, activation: 'tanh' }), new ak.Rng(1));
  const events: TrainEvent[] = [];
  const result = await train({
    model, optimizer: createOptimizer({ kind: 'adam', lr }), schedule: makeSchedule(config.train, lr), config: config.train,
    train: data(64, 1), val: data(32, 2), onEvent: (e) => events.push(e), ...(signal ? { signal } : {}),
  });
  return { result, events };
}

test('training lowers the validation loss and emits the event stream in order', async () => {
  const { result, events } = await run({ epochs: 30 }, 0.05);
  const h = result.state.history;
  assert.equal(h.length, 30);
  assert.ok(h[29]!.valLoss! < h[0]!.valLoss! - 0.01, `val ${h[0]!.valLoss} → ${h[29]!.valLoss}`);
  assert.equal(events[0]!.type, 'run_start');
  assert.equal(events.filter((e) => e.type === 'step').length, 30 * 4);
  assert.deepEqual(events.filter((e) => e.type === 'epoch_end').map((e) => (e as { epoch: number }).epoch), Array.from({ length: 30 }, (_, i) => i));
});

test('early stopping ends the run after `earlyStopping` epochs without improvement', async () => {
  // A learning rate this small cannot improve the validation loss by minDelta.
  const { result, events } = await run({ epochs: 20, earlyStopping: 2, minDelta: 1 }, 1e-9);
  assert.equal(result.status, 'early_stopped');
  assert.equal(result.state.epochsDone, 3);
  assert.ok(events.some((e) => e.type === 'early_stop'));
});

test('a step schedule divides the rate every stepSize epochs', async () => {
  const { result } = await run({ epochs: 4, schedule: 'step', stepSize: 2, gamma: 0.5 }, 0.01);
  assert.deepEqual(result.state.history.map((r) => r.lr), [0.01, 0.01, 0.005, 0.005]);
});

test('linear warm-up raises the rate step by step to the schedule, counting steps across epochs and a resume', async () => {
  // 64 samples in batches of 16: 4 steps an epoch; warm-up over 6 steps spans the first epoch and half the second.
  const { result, events } = await run({ epochs: 3, schedule: 'step', stepSize: 2, gamma: 0.5, warmupSteps: 6 }, 0.01);
  const rates = events.filter((e) => e.type === 'step').map((e) => (e as { lr: number }).lr);
  const want = [1, 2, 3, 4, 5, 6].map((k) => (0.01 * k) / 6).concat([0.01, 0.01, 0.005, 0.005, 0.005, 0.005]);
  assert.equal(rates.length, want.length);
  rates.forEach((r, i) => assert.ok(Math.abs(r - want[i]!) < 1e-12, `step ${i + 1}: rate ${r}, expected ${want[i]}`));
  assert.deepEqual(result.state.history.map((r) => r.lr), [0.01, 0.01, 0.005], 'the epoch records keep the schedule\'s rate');
  // Resumed after its first epoch, the run carries on from step 5 of the warm-up.
  const config = parseRunConfig({ train: { batchSize: 16, seed: 1, epochs: 3, schedule: 'step', stepSize: 2, gamma: 0.5, warmupSteps: 6 }, optimizer: { lr: 0.01 } });
  const fit = async (epochs: number, resume?: TrainState) => {
    const model = createModel(parseModelConfig({ kind: 'dense', inputDim: 6, hidden: [8], latentDim: 1, activation: 'tanh' }), new ak.Rng(1));
    const seen: number[] = [];
    const r = await train({
      model, optimizer: createOptimizer({ kind: 'adam', lr: 0.01 }), schedule: makeSchedule(config.train, 0.01), config: { ...config.train, epochs },
      train: data(64, 1), val: null, onEvent: (e) => e.type === 'step' && seen.push(e.lr), ...(resume ? { resume } : {}),
    });
    return { state: r.state, seen };
  };
  const resumed = await fit(3, (await fit(1)).state);
  assert.deepEqual(resumed.seen, rates.slice(4));
  assert.throws(() => parseRunConfig({ train: { warmupSteps: -1 } }), /warmupSteps/);
});

/** A dense AE with a second loss term (a small penalty on the code) that records where training told it it was. */
class TwoTerms extends Autoencoder {
  readonly latentKind = 'deterministic' as const;
  readonly seen: { epoch?: number; step?: number; progress?: number }[] = [];
  private readonly inner = this.addModule('inner', createModel(parseModelConfig({ kind: 'dense', inputDim: 6, hidden: [8], latentDim: 2, activation: 'tanh' }), new ak.Rng(1)));
  /** The second term is named `term` and is 0.1·mean(z²) + offset (the offset moves the term, not the gradients). */
  constructor(private readonly term = 'penalty', private readonly offset = 0) {
    super({ kind: 'two-terms', inputDim: 6, latentDim: 2 });
  }
  encode(x: ak.Tensor) {
    return this.inner.encode(x);
  }
  decode(z: ak.Tensor) {
    return this.inner.decode(z);
  }
  forward(x: ak.Tensor, opts: ForwardOptions): AutoencoderOutput {
    if (opts.training) this.seen.push({ epoch: opts.epoch!, step: opts.step!, progress: opts.progress! });
    const out = this.inner.forward(x, opts);
    const penalty = ak.add(ak.mul(ak.mean(ak.square(out.z)), 0.1), this.offset);
    return { loss: ak.add(out.loss, penalty), terms: { recon: out.loss, [this.term]: penalty }, recon: out.recon, z: out.z };
  }
}

test('every loss term is logged per epoch for training and validation, and the model is told epoch, step and progress', async () => {
  const model = new TwoTerms().nameParameters();
  const config = parseRunConfig({ train: { batchSize: 16, seed: 1, epochs: 3 }, optimizer: { lr: 0.01 } });
  const events: TrainEvent[] = [];
  const result = await train({
    model, optimizer: createOptimizer({ kind: 'adam', lr: 0.01 }), schedule: makeSchedule(config.train, 0.01), config: config.train,
    train: data(64, 1), val: data(32, 2), onEvent: (e) => events.push(e),
  });
  for (const r of result.state.history) {
    assert.deepEqual(Object.keys(r.terms!).sort(), ['penalty', 'recon']);
    assert.ok(Math.abs(r.terms!.recon! + r.terms!.penalty! - r.trainLoss) < 1e-5, `terms ${JSON.stringify(r.terms)} vs loss ${r.trainLoss}`);
    assert.ok(Math.abs(r.valTerms!.recon! + r.valTerms!.penalty! - r.valLoss!) < 1e-5);
    assert.ok(r.terms!.penalty! > 0);
  }
  const ends = events.filter((e) => e.type === 'epoch_end');
  assert.deepEqual(ends.map((e) => e.terms), result.state.history.map((r) => r.terms));
  // 3 epochs of 4 steps: steps 1..12, progress k/12, epochs 0,0,0,0,1,…
  assert.deepEqual(model.seen.map((s) => s.step), Array.from({ length: 12 }, (_, i) => i + 1));
  assert.deepEqual(model.seen.map((s) => s.epoch), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  assert.deepEqual(model.seen.map((s) => s.progress), Array.from({ length: 12 }, (_, i) => i / 12));
});

test('stochastic binarisation: 0 or 1 with probability the value, the same draws every time, values outside [0, 1] refused', async () => {
  const { binarize } = await import('./data-setup.js');
  const x = new Float32Array(20000).map((_, i) => (i % 4) / 4);
  const a = makeDataset({ x: Float32Array.from(x), sampleShape: [4], source: 'b' });
  const b = makeDataset({ x: Float32Array.from(x), sampleShape: [4], source: 'b' });
  binarize(a, 'train');
  binarize(b, 'train');
  assert.deepEqual(a.x, b.x);
  assert.ok(a.x.every((v) => v === 0 || v === 1));
  for (let c = 0; c < 4; c++) {
    let ones = 0;
    for (let r = 0; r < 5000; r++) ones += a.x[r * 4 + c]!;
    assert.ok(Math.abs(ones / 5000 - c / 4) < 0.03, `column ${c}: ${ones / 5000}`);
  }
  const t = makeDataset({ x: Float32Array.from(x), sampleShape: [4], source: 'b' });
  binarize(t, 'test');
  assert.notDeepEqual(t.x, a.x, 'the test split has its own draws');
  assert.throws(() => binarize(makeDataset({ x: Float32Array.of(0.5, 1.5), sampleShape: [2], source: 'c.csv' }), 'train'), /c\.csv: value 1\.5 at row 1 is outside \[0, 1\], so it cannot be binarised/);
});

/** TwoTerms that keeps a copy of every training batch it is given. */
class InputRecorder extends TwoTerms {
  readonly inputs: Float32Array[] = [];
  override forward(x: ak.Tensor, opts: ForwardOptions): AutoencoderOutput {
    if (opts.training) this.inputs.push(Float32Array.from(x.data));
    return super.forward(x, opts);
  }
}

test('dynamic binarisation: fresh 0/1 draws every epoch, the same for the same seed, replayed exactly on resume', async () => {
  const { trainingBatchTransform } = await import('./data-prep.js');
  assert.equal(trainingBatchTransform({ binarize: 'stochastic' }), null);
  const halves = makeDataset({ x: new Float32Array(64 * 6).fill(0.5), sampleShape: [6], source: 'halves' });
  const fit = async (seed: number, epochs: number, resume?: TrainState) => {
    const model = new InputRecorder().nameParameters();
    const config = parseRunConfig({ train: { batchSize: 64, seed, epochs }, optimizer: { lr: 0.01 } });
    const result = await train({
      model, optimizer: createOptimizer({ kind: 'adam', lr: 0.01 }), schedule: makeSchedule(config.train, 0.01), config: config.train,
      train: halves, val: null, onEvent: () => {}, batchTransform: trainingBatchTransform({ binarize: 'dynamic' }), ...(resume ? { resume } : {}),
    });
    return { inputs: model.inputs, state: result.state };
  };
  const a = await fit(1, 3);
  assert.ok(a.inputs.every((x) => x.every((v) => v === 0 || v === 1)));
  for (const x of a.inputs) {
    const ones = x.reduce((s, v) => s + v, 0) / x.length;
    assert.ok(Math.abs(ones - 0.5) < 0.1, `share of ones ${ones}`);
  }
  assert.notDeepEqual(a.inputs[0], a.inputs[1], 'each epoch draws afresh');
  assert.deepEqual((await fit(1, 3)).inputs, a.inputs, 'the same seed draws the same');
  assert.notDeepEqual((await fit(2, 3)).inputs[0], a.inputs[0], 'another seed draws otherwise');
  const first = await fit(1, 1);
  assert.deepEqual((await fit(1, 3, first.state)).inputs, a.inputs.slice(1), 'a resumed run replays the later epochs');
  assert.equal(halves.x[0], 0.5, 'the data set itself keeps its values');
});

test('dynamic binarisation in data preparation: training values kept, test data drawn as with stochastic, validation its own draws', async () => {
  const { splitData } = await import('./data-prep.js');
  const grey = () => makeDataset({ x: new Float32Array(200 * 4).map((_, i) => (i % 5) / 4), sampleShape: [4], source: 'g' });
  const cfg = parseRunConfig({ data: { binarize: 'dynamic', valFraction: 0.25 } }).data;
  const dyn = splitData(grey(), grey(), cfg, 1);
  const fixed = splitData(grey(), grey(), { ...cfg, binarize: 'stochastic' }, 1);
  assert.ok(dyn.train.x.some((v) => v === 0.5), 'training values are kept for per-batch draws');
  assert.deepEqual(dyn.test!.x, fixed.test!.x);
  assert.ok(dyn.val!.x.every((v) => v === 0 || v === 1));
  assert.throws(() => splitData(grey(), grey(), { ...cfg, trainOnTest: true }, 1), /--train-on-test with --binarize dynamic/);
  const bad = makeDataset({ x: Float32Array.of(0.5, 2), sampleShape: [2], source: 'c.csv' });
  assert.throws(() => splitData(bad, null, { ...cfg, valFraction: 0 }, 1), /c\.csv: value 2 at row 1 is outside \[0, 1\]/);
});

test('a loss that starts at or below zero is no yardstick for runaway loss (training goes on)', async () => {
  /** The dense loss shifted down by 100, as a log-likelihood loss may be. */
  class Shifted extends TwoTerms {
    override forward(x: ak.Tensor, opts: ForwardOptions): AutoencoderOutput {
      const out = super.forward(x, opts);
      return { ...out, loss: ak.sub(out.loss, 100) };
    }
  }
  const model = new Shifted().nameParameters();
  const config = parseRunConfig({ train: { batchSize: 16, seed: 1, epochs: 2 }, optimizer: { lr: 0.01 } });
  const result = await train({
    model, optimizer: createOptimizer({ kind: 'adam', lr: 0.01 }), schedule: makeSchedule(config.train, 0.01), config: config.train,
    train: data(64, 1), val: null, onEvent: () => {},
  });
  assert.equal(result.state.epochsDone, 2);
  assert.ok(result.state.firstLoss! < 0);
});

test('an aborted signal stops the run between steps at its last epoch end', async () => {
  const stop = new AbortController();
  const { result: full } = await run({ epochs: 6 }, 0.05);
  const events: TrainEvent[] = [];
  const config = parseRunConfig({ train: { batchSize: 16, seed: 1, epochs: 6 }, optimizer: { lr: 0.05 } });
  const model = createModel(parseModelConfig({ kind: 'dense', inputDim: 6, hidden: [8], latentDim: 1, activation: 'tanh' }), new ak.Rng(1));
  const result = await train({
    model, optimizer: createOptimizer({ kind: 'adam', lr: 0.05 }), schedule: makeSchedule(config.train, 0.05), config: config.train,
    train: data(64, 1), val: data(32, 2), signal: stop.signal,
    onEvent: (e) => {
      events.push(e);
      // Abort in the middle of epoch 3 (step 2 of 4): epochs 0–2 are kept, the partial epoch is dropped.
      if (e.type === 'step' && e.epoch === 3 && e.batch === 2) stop.abort(new Error('stopped by test'));
    },
  });
  assert.equal(result.status, 'stopped');
  assert.equal(result.stopReason, 'stopped by test');
  assert.equal(result.state.epochsDone, 3);
  assert.equal(result.state.step, 12);
  assert.deepEqual(result.state.history.map((h) => h.trainLoss), full.state.history.slice(0, 3).map((h) => h.trainLoss));
  assert.deepEqual(events.at(-1), { type: 'stopped', epochsDone: 3, reason: 'stopped by test' });
  assert.ok(events.filter((e) => e.type === 'step').length <= 15, 'stopped within a step of the abort');
});

test('timers run while the trainer trains, so a signal handler or a worker message can stop it', async () => {
  const stop = new AbortController();
  const config = parseRunConfig({ train: { batchSize: 4, seed: 1, epochs: 200 }, optimizer: { lr: 0.01 } });
  const model = createModel(parseModelConfig({ kind: 'dense', inputDim: 6, hidden: [8], latentDim: 1, activation: 'tanh' }), new ak.Rng(1));
  let started = false;
  const result = await train({
    model, optimizer: createOptimizer({ kind: 'adam', lr: 0.01 }), schedule: makeSchedule(config.train, 0.01), config: config.train,
    train: data(256, 1), val: null, signal: stop.signal,
    // A timer set at the first step fires only if the trainer lets the event loop run (12,800 steps take far longer than 20 ms).
    onEvent: (e) => {
      if (e.type === 'step' && !started) {
        started = true;
        setTimeout(() => stop.abort('timer'), 0);
      }
    },
  });
  assert.equal(result.status, 'stopped');
  assert.equal(result.stopReason, 'timer');
  assert.ok(result.state.epochsDone < 200);
});

test('a KL term near zero after the second epoch warns once of posterior collapse; a working KL term does not', async () => {
  const warnings = async (offset: number) => {
    const model = new TwoTerms('kl', offset).nameParameters();
    const config = parseRunConfig({ train: { batchSize: 16, seed: 1, epochs: 4 }, optimizer: { lr: 0.001 } });
    const events: TrainEvent[] = [];
    await train({
      model, optimizer: createOptimizer({ kind: 'adam', lr: 0.001 }), schedule: makeSchedule(config.train, 0.001), config: config.train,
      train: data(64, 1), val: null, onEvent: (e) => events.push(e),
    });
    return events.flatMap((e) => (e.type === 'warning' ? [e] : []));
  };
  // The term is 0.1·mean(z²) − 5: far below the threshold, so the warning must fire, once, at the second epoch.
  const collapsed = await warnings(-5);
  assert.equal(collapsed.length, 1, JSON.stringify(collapsed));
  assert.equal(collapsed[0]!.code, 'posterior_collapse');
  assert.equal(collapsed[0]!.epoch, 1);
  assert.match(collapsed[0]!.message, /posterior collapse.*--kl-warmup/);
  assert.deepEqual(await warnings(3), []);
});
