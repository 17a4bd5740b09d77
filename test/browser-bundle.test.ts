/**
 * The browser entry bundles with Vite without any Node built-in, and the bundle runs where Node's
 * globals do not exist: a fresh V8 context given only what a browser page has. In it the bundle
 * parses real MNIST bytes, trains a dense autoencoder on the reference backend (the loss must fall),
 * and round-trips the model through the bytes of config.json + model.safetensors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { bundleBrowser, type BrowserBundle } from '../tools/bundle-browser.js';
import { checkTrained, mnistBytes, TRAIN_SCRIPT, type TrainResult } from './browser-train.js';
import { repoRoot } from './helpers.js';

let bundle: BrowserBundle;

test('the browser entry bundles with Vite and reaches no Node built-in or Node global', async (t) => {
  bundle = await bundleBrowser(repoRoot());
  assert.deepEqual(bundle.nodeImports, []);
  for (const code of [bundle.esm, bundle.iife]) {
    assert.doesNotMatch(code, /["'`]node:/, 'a node: specifier in the bundle');
    for (const global of ['process', 'Buffer', '__dirname', '__filename', 'require']) {
      // The name as a free identifier being read (`process.env`, `Buffer.from`, `require(`), not `ArrayBuffer.` or `x.module`.
      const use = new RegExp(`(?<![\\w$.])${global}\\s*[.(\\[]`);
      assert.doesNotMatch(code, use, `the bundle uses the Node global ${global}`);
    }
  }
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  t.diagnostic(`bundle: ${kib(bundle.sizes.esmBytes)} minified ES module, ${kib(bundle.sizes.esmGzipBytes)} gzipped`);
  // A bound, so that an accidental dependency (a whole library pulled in) is noticed.
  assert.ok(bundle.sizes.esmGzipBytes < 150 * 1024, `bundle grew to ${kib(bundle.sizes.esmGzipBytes)} gzipped`);
});

test('the bundle trains on MNIST bytes and round-trips a model in a context without Node globals', async () => {
  assert.ok(bundle, 'the bundling test ran first');
  const { images, labels } = mnistBytes();
  // What a page has: no process, Buffer, require, module or global.
  const g = globalThis as unknown as Record<string, unknown>;
  const page = vm.createContext({
    console, TextEncoder, TextDecoder, WebAssembly: g.WebAssembly, performance, queueMicrotask, setTimeout, clearTimeout,
    structuredClone, crypto: g.crypto, URL, atob, btoa, MessageChannel,
  });
  vm.runInContext(bundle.iife, page, { filename: 'aekit.iife.js' });
  // Arrays are copied into the context's own realm, as bytes fetched by a page would be.
  page.imageBytes = Array.from(images);
  page.labelBytes = Array.from(labels);
  const result = await vm.runInContext(`(${TRAIN_SCRIPT})(aekit, imageBytes, labelBytes, 'auto')`, page) as TrainResult;
  checkTrained(result, 'reference');
});
