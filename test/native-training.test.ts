/**
 * Training on the native and wasm backends: one step agrees with the reference backend, and a
 * steady training step allocates no new buffers and leaks no tensors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerBuiltinBackends } from '../src/backends/index.js';
import { createNodeWasmBackend } from '../src/backends/wasm/node.js';
import { backward, numTensors, registerBackend, registeredBackends, Rng, setBackend, tensor, tidy, type Tensor } from '../src/core/index.js';
import { loadMnist } from '../src/data/index.js';
import { createModel, parseModelConfig, registerBuiltinModels, type Autoencoder } from '../src/models/index.js';
import { createOptimizer } from '../src/nn/optim/index.js';
import { mergeConfig, parseRunConfig, PRESETS } from '../src/train/config.js';
import { trainStep } from '../src/train/trainer.js';

registerBuiltinBackends();
registerBuiltinModels();
if (!registeredBackends().includes('wasm')) registerBackend('wasm', () => createNodeWasmBackend(), -1);
const train = loadMnist('train', { limit: 2048 });

function modelA(): Autoencoder {
  const c = parseRunConfig(mergeConfig(PRESETS['keras-deep']!.config, {}));
  return createModel(parseModelConfig({ ...c.model, inputDim: 784 }), new Rng(5));
}

/** Loss, gradients and parameters after one Adam step on the first 256 digits, on `backend`. */
async function oneStep(backend: string): Promise<{ loss: number; grads: Map<string, Float32Array>; params: Map<string, Float32Array> }> {
  await setBackend(backend);
  const model = modelA();
  const opt = createOptimizer({ kind: 'adam', lr: 1e-3 });
  const x = tensor(train.x.subarray(0, 256 * 784), [256, 784]);
  const grads = new Map<string, Float32Array>();
  const loss = tidy(() => {
    const out = model.forward(x, { training: true });
    const g = backward(out.loss);
    for (const [name, p] of model.namedParameters()) grads.set(name, Float32Array.from(g.get(p)!.data));
    opt.step(model.parameters(), g);
    return out.loss.item();
  });
  const params = new Map(model.namedParameters().map(([n, p]) => [n, Float32Array.from(p.data)]));
  x.dispose();
  opt.dispose();
  model.dispose();
  return { loss, grads, params };
}

/** Largest |a − b| relative to the largest |b| of the tensor. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / (m || 1);
}

interface Pooled {
  poolStats(): { allocations: number };
  liveBuffers(): number;
}

for (const name of ['native', 'wasm']) {
  const loaded = await setBackend(name).catch((e: Error) => e);
  const skip = loaded instanceof Error ? `${name} backend unavailable: ${loaded.message}` : false;

  test(`one Model A training step agrees between ${name} and reference to 1e-4 relative`, { skip }, async () => {
    const ref = await oneStep('reference');
    const got = await oneStep(name);
    assert.ok(Math.abs(got.loss - ref.loss) <= 1e-4 * Math.abs(ref.loss), `loss ${got.loss} vs ${ref.loss}`);
    for (const [p, g] of ref.grads) assert.ok(relDiff(got.grads.get(p)!, g) <= 1e-4, `gradient of ${p}: ${relDiff(got.grads.get(p)!, g)}`);
    for (const [p, v] of ref.params) assert.ok(relDiff(got.params.get(p)!, v) <= 1e-4, `${p} after the step: ${relDiff(got.params.get(p)!, v)}`);
  });

  test(`100 steady ${name} training steps allocate no new buffers and leak no tensors`, { skip }, async () => {
    const be = (await setBackend(name)) as unknown as Pooled;
    const model = modelA();
    const opt = createOptimizer({ kind: 'adam', lr: 1e-3 });
    const ctx = { model, optimizer: opt, train, config: { clipNorm: 1 } };
    const params: Tensor[] = model.parameters();
    const idx = (s: number): Int32Array => Int32Array.from({ length: 256 }, (_, i) => ((s * 256 + i) % train.n));
    const rng = new Rng(3);
    for (let s = 0; s < 3; s++) trainStep(ctx, params, idx(s), rng);
    const before = { allocations: be.poolStats().allocations, buffers: be.liveBuffers(), tensors: numTensors() };
    for (let s = 3; s < 103; s++) trainStep(ctx, params, idx(s), rng);
    const after = { allocations: be.poolStats().allocations, buffers: be.liveBuffers(), tensors: numTensors() };
    assert.deepEqual(after, before);
    opt.dispose();
    model.dispose();
  });
}
