/**
 * Model A (TARGETS.md; preset keras-deep) trained in aekit studio's page, in headless Chromium
 * (the page's Web Worker, the wasm backend), against the same training in Node on the wasm
 * backend, in one run at the same thread count (1: the page's worker runs wasm single-threaded).
 * Both sides run what the studio's worker runs (splitData, createModel, the trainer) on the first
 * --limit MNIST digits; the page's figure is the trainer's own samples/s, as is Node's. The page
 * also records every main-thread task over 50 ms while it trains (PerformanceObserver 'longtask')
 * and reports the longest. Sides alternate for --rounds rounds; medians are reported.
 *
 *   npm run build && node dist/bench/studio.js [--rounds 3] [--limit 10000] [--epochs 2]
 */

import * as ak from '../src/index.js';
import { registerBackend } from '../src/core/index.js';
import { createNodeWasmBackend } from '../src/backends/wasm/node.js';
import { parseIdx } from '../src/data/idx.js';
import { createModel, fitModelToData, registerBuiltinModels } from '../src/models/index.js';
import { mergeConfig, parseRunConfig, PRESETS } from '../src/train/config.js';
import { mnistFromBytes, splitData } from '../src/train/data-prep.js';
import { makeOptimizer, makeSchedule } from '../src/train/schedule.js';
import { train } from '../src/train/trainer.js';
import { mnistBytes, mnistFiles } from '../src/serve/studio-files.js';
import { startStudioServer } from '../src/cli/studio-server.js';
import { openUrl } from '../test/chromium.js';
import { benchArgs, median } from './peer.js';
import { loadavg } from 'node:os';

const USAGE = `Usage: node dist/bench/studio.js [--rounds N] [--limit DIGITS] [--epochs E]

Model A trained in aekit studio's page (Chromium, wasm, 1 thread) against Node's wasm backend (1 thread), with the page's longest main-thread task.`;
const { values } = benchArgs(USAGE, { options: { rounds: { type: 'string', default: '3' }, limit: { type: 'string', default: '10000' }, epochs: { type: 'string', default: '2' } } });
const rounds = Number(values.rounds), limit = Number(values.limit), epochs = Number(values.epochs);
const log = (s: string): boolean => process.stderr.write(s + '\n');

/** The run config both sides train: preset keras-deep on the first `limit` digits, `epochs` epochs, on wasm. */
const runConfig = mergeConfig(PRESETS['keras-deep']!.config, { data: { dataset: 'mnist', limit }, train: { epochs, seed: 1, backend: 'wasm' } });

registerBuiltinModels();
const wasm = await createNodeWasmBackend({ threads: 1 });
registerBackend('wasm', () => wasm, -1);
await ak.setBackend('wasm');
const files = mnistFiles();
const idx = (name: string) => parseIdx(mnistBytes(files[name]!, limit), name);
const full = mnistFromBytes(idx('train-images'), idx('train-labels'), 'mnist', limit);

/** The studio worker's run, in Node: samples/s as the trainer reports it. */
async function nodeRound(): Promise<number> {
  const config = parseRunConfig(runConfig);
  const data = splitData(full, null, config.data, config.train.seed);
  config.model = fitModelToData(config.model, data.sampleShape);
  const model = createModel(config.model, new ak.Rng(config.train.seed));
  const optimizer = makeOptimizer(config);
  const r = await train({ model, optimizer, schedule: makeSchedule(config.train, config.optimizer.lr), config: config.train, train: data.train, val: data.val, onEvent: () => {} });
  optimizer.dispose();
  return r.samplesPerSec;
}

const { server, url } = await startStudioServer({});
const session = await openUrl(url, () => new Promise((r) => server.close(() => r())));
const { page } = session;

/** One training in the page: its samples/s and the longest main-thread task (0: none over 50 ms). */
async function pageRound(): Promise<{ rate: number; longest: number; longTasks: number; backend: string }> {
  await page.click('#tab-design');
  await page.evaluate(`globalThis.studio.setConfig(${JSON.stringify(runConfig)})`);
  await page.click('#tab-train');
  await page.fill('#mnist-limit', String(limit));
  await page.evaluate(`globalThis.longTasks = []; globalThis.longObserver?.disconnect();
    globalThis.longObserver = new PerformanceObserver((list) => { for (const e of list.getEntries()) globalThis.longTasks.push(e.duration); });
    globalThis.longObserver.observe({ type: 'longtask' })`);
  await page.click('#btn-train');
  await page.waitForFunction(`globalThis.studio.phase === 'done' || globalThis.studio.phase === 'error'`, null, { timeout: 600_000 });
  const r = await page.evaluate(`({ rate: globalThis.studio.samplesPerSec, backend: globalThis.studio.backend, error: globalThis.studio.lastError, tasks: globalThis.longTasks })`) as { rate: number; backend: string; error: string; tasks: number[] };
  if (r.error) throw new Error(`the page failed: ${r.error}`);
  return { rate: r.rate, longest: Math.max(0, ...r.tasks), longTasks: r.tasks.length, backend: r.backend };
}

const node: number[] = [], inPage: number[] = [], longest: number[] = [], counts: number[] = [];
let pageBackend = '';
try {
  log(`Model A (keras-deep), ${limit} digits, ${epochs} epochs, 1 wasm thread on both sides; load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (let i = 0; i < rounds; i++) {
    node.push(await nodeRound());
    const p = await pageRound();
    pageBackend = p.backend;
    inPage.push(p.rate);
    longest.push(p.longest);
    counts.push(p.longTasks);
    log(`  round ${i + 1}: Node ${node.at(-1)!.toFixed(0)}  page ${p.rate.toFixed(0)} samples/s (${p.backend}); longest main-thread task ${p.longest.toFixed(0)} ms (${p.longTasks} over 50 ms)`);
  }
} finally {
  await session.close();
}
const n = median(node), pg = median(inPage);
console.log(`Model A samples/s, 1 thread: Node wasm ${n.toFixed(0)}, page (${pageBackend}, Chromium worker) ${pg.toFixed(0)}: page/Node = ${(pg / n).toFixed(2)} (goal ≥ 0.5)`);
console.log(`longest main-thread task while training: median ${median(longest).toFixed(0)} ms, worst ${Math.max(...longest).toFixed(0)} ms over ${rounds} rounds (goal < 50 ms; 0: none over 50 ms); long tasks per run ${counts.join(', ')}`);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

