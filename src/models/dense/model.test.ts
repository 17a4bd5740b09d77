import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ak from '../../index.js';
import { createOptimizer } from '../../nn/optim/index.js';
import { createModel, parseModelConfig, registerBuiltinModels, type Autoencoder } from '../index.js';
import { twoPatternBatch } from '../two-patterns.fixture.js';

await ak.setBackend('reference');
registerBuiltinModels();

function make(over: Record<string, unknown> = {}): Autoencoder {
  return createModel(parseModelConfig({ kind: 'dense', inputDim: 12, hidden: [8], latentDim: 3, ...over }), new ak.Rng(1));
}

const batch = twoPatternBatch;

test('forward returns loss, terms, recon and z with the right shapes', () => {
  const m = make();
  const out = ak.tidy(() => {
    const o = m.forward(batch(), { training: true });
    return { loss: o.loss.shape, recon: o.recon.shape, z: o.z.shape, terms: Object.keys(o.terms) };
  });
  assert.deepEqual(out, { loss: [], recon: [16, 12], z: [16, 3], terms: ['recon'] });
});

test('parameter names follow the module tree', () => {
  const names = make().namedParameters().map(([n]) => n);
  assert.deepEqual(names, [
    'encoder.layers.0.weight', 'encoder.layers.0.bias', 'encoder.layers.1.weight', 'encoder.layers.1.bias',
    'decoder.layers.0.weight', 'decoder.layers.0.bias', 'decoder.layers.1.weight', 'decoder.layers.1.bias',
  ]);
  assert.equal(make().parameters()[0]!.name, 'encoder.layers.0.weight');
});

test('tied weights share the encoder weights and keep their own biases', () => {
  const m = make({ tiedWeights: true });
  assert.deepEqual(m.namedParameters().map(([n]) => n).filter((n) => n.startsWith('decoder')), ['decoder.layers.0.bias', 'decoder.layers.1.bias']);
  const shape = ak.tidy(() => m.reconstruct(batch()).shape);
  assert.deepEqual(shape, [16, 12]);
});

for (const loss of ['bce', 'mse', 'l1'] as const) {
  test(`weights change after one step and the ${loss} loss falls on a fixed batch`, () => {
    const m = make({ loss });
    const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
    const x = batch();
    const before = Float32Array.from(m.parameters()[0]!.data);
    const lossAt = (): number => ak.tidy(() => m.forward(x, { training: false }).loss.item());
    const first = lossAt();
    for (let i = 0; i < 200; i++) {
      ak.tidy(() => {
        const out = m.forward(x, { training: true });
        opt.step(m.parameters(), ak.backward(out.loss));
      });
    }
    assert.notDeepEqual(Float32Array.from(m.parameters()[0]!.data), before);
    // BCE on targets in (0, 1) cannot go below their mean entropy; measure progress above that floor.
    const floor = loss === 'bce' ? entropy(x.data) : 0;
    assert.ok(lossAt() - floor < (first - floor) * 0.5, `${loss}: ${first} → ${lossAt()} (floor ${floor})`);
    opt.dispose();
  });
}

function entropy(t: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < t.length; i++) {
    const p = Math.min(Math.max(t[i]!, 1e-12), 1 - 1e-12);
    h -= p * Math.log(p) + (1 - p) * Math.log(1 - p);
  }
  return h / t.length;
}

test('a training step leaves the live-tensor count unchanged', () => {
  const m = make();
  const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
  const x = batch();
  const step = (): void => ak.tidy(() => opt.step(m.parameters(), ak.backward(m.forward(x, { training: true }).loss)));
  step(); // optimizer state is created on the first step
  const live = ak.numTensors();
  for (let i = 0; i < 5; i++) step();
  assert.equal(ak.numTensors(), live);
});

test('BCE without a sigmoid output is refused with a clear message', () => {
  assert.throws(() => parseModelConfig({ kind: 'dense', loss: 'bce', outputActivation: 'linear' }), /loss 'bce' needs model.outputActivation 'sigmoid'/);
});

test('an unknown config key names the key', () => {
  assert.throws(() => parseModelConfig({ kind: 'dense', hiden: [3] }), /unknown key "hiden"/);
});

test('batches keep their sample shape: (B, 1, 3, 4) gives the loss and code of (B, 12), and recon has the input\'s shape', () => {
  for (const loss of ['bce', 'mse'] as const) {
    const m = make({ loss, outputActivation: 'sigmoid' });
    const flat = batch();
    const images = ak.reshape(flat, [16, 1, 3, 4]);
    const [a, b] = [flat, images].map((x) => ak.tidy(() => {
      const o = m.forward(x, { training: false });
      return { loss: o.loss.item(), z: Array.from(o.z.data), reconShape: o.recon.shape, recon: Array.from(o.recon.data) };
    }));
    assert.equal(a!.loss, b!.loss);
    assert.deepEqual(a!.z, b!.z);
    assert.deepEqual(a!.recon, b!.recon);
    assert.deepEqual(b!.reconShape, [16, 1, 3, 4]);
    assert.deepEqual(Array.from(ak.tidy(() => m.encode(images)).data), a!.z);
  }
  assert.throws(() => make().forward(ak.zeros([2, 1, 3, 5]), { training: false }), /an input of shape \[2, 1, 3, 5\] does not hold 12 values per sample/);
});

test('a model needs its input width: inputDim 0 means "from the data" and is refused by createModel', () => {
  const c = parseModelConfig({ kind: 'dense', hidden: [4], latentDim: 2 });
  assert.equal(c.inputDim, 0);
  assert.throws(() => createModel(c, new ak.Rng(1)), /model\.inputDim is 0: set it to the number of values per sample \(aekit train takes it from the data\)/);
});

test('batch norm and dropout: the model learns, evaluation is deterministic, and running statistics round-trip with the weights', () => {
  const m = make({ batchNorm: true, dropout: 0.2, loss: 'mse', outputActivation: 'linear' });
  assert.deepEqual(m.namedBuffers().map(([n]) => n), ['encoder.norms.0.running_mean', 'encoder.norms.0.running_var', 'decoder.norms.0.running_mean', 'decoder.norms.0.running_var']);
  const opt = createOptimizer({ kind: 'adam', lr: 0.02 });
  const rng = new ak.Rng(3);
  const evalLoss = () => ak.tidy(() => m.forward(batch(), { training: false }).loss.item());
  const before = evalLoss();
  for (let s = 0; s < 150; s++) {
    ak.tidy(() => {
      const { loss } = m.forward(batch(), { training: true, rng });
      opt.step(m.parameters(), ak.backward(loss));
    });
  }
  assert.ok(evalLoss() < before / 2, `eval loss ${before} → ${evalLoss()}`);
  assert.ok(m.namedBuffers().every(([, t]) => Array.from(t.data).some((v) => v !== 0 && v !== 1)), 'the running statistics moved');
  const z1 = Array.from(ak.tidy(() => m.encode(batch())).data);
  assert.deepEqual(Array.from(ak.tidy(() => m.encode(batch())).data), z1, 'no dropout outside training');
  const copy = make({ batchNorm: true, dropout: 0.2, loss: 'mse', outputActivation: 'linear' });
  copy.loadParameters(new Map(m.namedState().map(([n, t]) => [n, { shape: t.shape, data: t.data }])), 'test');
  assert.deepEqual(Array.from(ak.tidy(() => copy.encode(batch())).data), z1);
  assert.throws(() => make({ tiedWeights: true, batchNorm: true }), /tiedWeights cannot be combined with model\.batchNorm/);
});
