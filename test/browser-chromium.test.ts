/**
 * aekit in a real browser: Debian's Chromium loads the Vite bundle of the browser entry as an ES
 * module from a cross-origin-isolated page, trains a dense autoencoder on MNIST bytes fetched
 * from the server, and round-trips the model through its file bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleBrowser } from '../tools/bundle-browser.js';
import { checkTrained, mnistBytes, TRAIN_SCRIPT, type TrainResult } from './browser-train.js';
import { openPage } from './chromium.js';
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
