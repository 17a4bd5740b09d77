/**
 * The wasm backend's threads in Chromium: web workers over shared memory in a cross-origin-isolated
 * page and inside a dedicated worker of one (where the studio trains), one thread in a page without
 * isolation; the threaded product agrees with a plain loop to 1e-4 relative in every case.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundleBrowser } from '../tools/bundle-browser.js';
import { openPage, type Routes } from './chromium.js';
import { repoRoot } from './helpers.js';

/** `async (aekit, threads) => result`: a 256×300·300×200 product on wasm (threaded: 15M multiply-adds), checked against a loop in double. */
const PRODUCT_SCRIPT = `async (aekit, threads) => {
  aekit.registerWasmBackend((f) => fetch('/wasm/' + f).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b)), threads === undefined ? {} : { threads });
  const be = await aekit.setBackend('wasm');
  const [m, k, n] = [256, 300, 200];
  const rng = new aekit.Rng(7);
  const av = Float32Array.from({ length: m * k }, () => rng.uniform() - 0.5), bv = Float32Array.from({ length: k * n }, () => rng.uniform() - 0.5);
  const c = aekit.matmul(aekit.tensor(av, [m, k]), aekit.tensor(bv, [k, n])).data;
  let worst = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0, mag = 0;
    for (let p = 0; p < k; p++) { s += av[i * k + p] * bv[p * n + j]; mag += Math.abs(av[i * k + p] * bv[p * n + j]); }
    worst = Math.max(worst, Math.abs(c[i * n + j] - s) / mag);
  }
  return { describe: be.describe(), ready: be.readyThreads(), isolated: globalThis.crossOriginIsolated === true, worst };
}`;

interface ProductResult {
  describe: { backend: string; threads: number; sharedMemory: boolean };
  ready: number;
  isolated: boolean;
  worst: number;
}

async function routes(): Promise<Routes> {
  const bundle = await bundleBrowser(repoRoot());
  const wasmDir = join(repoRoot(), 'build', 'wasm');
  const r: Routes = {
    '/': '<!doctype html><meta charset="utf-8"><title>aekit wasm threads</title>',
    '/aekit.js': bundle.esm,
    // A module worker that runs the script and posts its result (or its error) back.
    '/worker.js': `import * as aekit from '/aekit.js';
onmessage = async (e) => {
  try { postMessage({ ok: await (${PRODUCT_SCRIPT})(aekit, e.data.threads) }); } catch (err) { postMessage({ error: String(err && err.stack || err) }); }
};`,
  };
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) r[`/wasm/${f}`] = { file: join(wasmDir, f) };
  return r;
}

function checkProduct(r: ProductResult, threads: number, where: string): void {
  assert.equal(r.describe.backend, 'wasm', where);
  assert.equal(r.describe.threads, threads, `${where}: threads`);
  assert.equal(r.describe.sharedMemory, threads > 1, `${where}: shared memory`);
  assert.equal(r.ready, threads, `${where}: every worker started`);
  assert.ok(r.worst < 1e-4, `${where}: the product is off by ${r.worst} relative`);
}

test('Chromium: wasm GEMM threads as web workers in a cross-origin-isolated page and in a dedicated worker of it', async (t) => {
  const session = await openPage(await routes());
  try {
    const inPage = await session.page.evaluate(`(async () => (${PRODUCT_SCRIPT})(await import('/aekit.js'), 2))()`) as ProductResult;
    assert.equal(inPage.isolated, true);
    checkProduct(inPage, 2, 'page');
    const inWorker = await session.page.evaluate(`new Promise((resolve, reject) => {
      const w = new Worker('/worker.js', { type: 'module' });
      w.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data.ok));
      w.onerror = (e) => reject(new Error(e.message));
      w.postMessage({ threads: 2 });
    })`) as ProductResult;
    assert.equal(inWorker.isolated, true);
    checkProduct(inWorker, 2, 'dedicated worker');
    t.diagnostic(`page: ${JSON.stringify(inPage.describe)}; worker: ${JSON.stringify(inWorker.describe)}`);
  } finally {
    await session.close();
  }
});

test('Chromium: without cross-origin isolation the wasm backend runs on one thread over plain memory', async () => {
  const session = await openPage(await routes(), { isolated: false });
  try {
    const r = await session.page.evaluate(`(async () => (${PRODUCT_SCRIPT})(await import('/aekit.js'), 2))()`) as ProductResult;
    assert.equal(r.isolated, false);
    checkProduct(r, 1, 'page without isolation');
  } finally {
    await session.close();
  }
});
