/**
 * Model A (TARGETS.md; preset keras-deep) trained in aekit studio's page, in headless Chromium
 * (the page's Web Worker, the wasm backend), against the same training in Node on the wasm
 * backend, in one run at the same thread count (1: the page's worker runs wasm single-threaded).
 * Both sides run what the studio's worker runs (splitData, createModel, the trainer) on the first
 * --limit MNIST digits; the page's figure is the trainer's own samples/s, as is Node's. The page
 * also records every main-thread task over 50 ms while it trains (PerformanceObserver 'longtask')
 * and reports the longest, and traces the renderer (Chromium's 'RunTask' events on its main
 * thread) for the longest task's wall time and its CPU time: on a loaded machine a task of a few
 * ms of work can take 100 ms of wall time waiting for a core, and the two figures tell those apart.
 * Sides alternate for --rounds rounds; medians are reported.
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

const USAGE = `Usage: node dist/bench/studio.js [--rounds N] [--limit DIGITS] [--epochs E] [--node-threads T]

Model A trained in aekit studio's page (Chromium worker, wasm with the page's default threads) against Node's wasm backend (--node-threads, default 1), with the page's longest main-thread task.`;
const { values } = benchArgs(USAGE, { options: { rounds: { type: 'string', default: '3' }, limit: { type: 'string', default: '10000' }, epochs: { type: 'string', default: '2' }, 'node-threads': { type: 'string', default: '1' } } });
const rounds = Number(values.rounds), limit = Number(values.limit), epochs = Number(values.epochs);
const log = (s: string): boolean => process.stderr.write(s + '\n');

/** The run config both sides train: preset keras-deep on the first `limit` digits, `epochs` epochs, on wasm. */
const runConfig = mergeConfig(PRESETS['keras-deep']!.config, { data: { dataset: 'mnist', limit }, train: { epochs, seed: 1, backend: 'wasm' } });

registerBuiltinModels();
const nodeThreads = Number(values['node-threads']);
if (!Number.isInteger(nodeThreads) || nodeThreads < 1) throw new Error(`--node-threads: expected a whole number ≥ 1, got ${values['node-threads']}`);
const wasm = await createNodeWasmBackend({ threads: nodeThreads });
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

interface TraceEvent { name: string; ph: string; pid: number; tid: number; dur?: number; tdur?: number; args?: { name?: string } }

/** The longest task on the page's main thread in a Chromium trace: wall ms and CPU ms (of the task longest in CPU time). */
function longestRunTask(trace: Buffer): { wall: number; cpu: number } {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  let wall = 0, cpu = 0;
  for (const e of events) {
    if (e.name !== 'RunTask' || e.ph !== 'X' || !main.has(`${e.pid}:${e.tid}`)) continue;
    wall = Math.max(wall, (e.dur ?? 0) / 1000);
    cpu = Math.max(cpu, (e.tdur ?? 0) / 1000);
  }
  return { wall, cpu };
}

/** One training in the page: its samples/s, the longest main-thread task (0: none over 50 ms) and the trace's longest task. */
async function pageRound(): Promise<{ rate: number; longest: number; longTasks: number; backend: string; traced: { wall: number; cpu: number } }> {
  await page.click('#tab-design');
  await page.evaluate(`globalThis.studio.setConfig(${JSON.stringify(runConfig)})`);
  await page.click('#tab-train');
  await page.fill('#mnist-limit', String(limit));
  await page.evaluate(`globalThis.longTasks = []; globalThis.longObserver?.disconnect();
    globalThis.longObserver = new PerformanceObserver((list) => { for (const e of list.getEntries()) globalThis.longTasks.push(e.duration); });
    globalThis.longObserver.observe({ type: 'longtask' })`);
  const browser = page.context().browser()!;
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await page.click('#btn-train');
  await page.waitForFunction(`globalThis.studio.phase === 'done' || globalThis.studio.phase === 'error'`, null, { timeout: 600_000 });
  const traced = longestRunTask(await browser.stopTracing());
  const r = await page.evaluate(`({ rate: globalThis.studio.samplesPerSec, backend: globalThis.studio.backend, error: globalThis.studio.lastError, tasks: globalThis.longTasks })`) as { rate: number; backend: string; error: string; tasks: number[] };
  if (r.error) throw new Error(`the page failed: ${r.error}`);
  return { rate: r.rate, longest: Math.max(0, ...r.tasks), longTasks: r.tasks.length, backend: r.backend, traced };
}

const node: number[] = [], inPage: number[] = [], longest: number[] = [], counts: number[] = [], cpu: number[] = [];
let pageBackend = '';
try {
  log(`Model A (keras-deep), ${limit} digits, ${epochs} epochs, Node wasm on ${nodeThreads} thread(s), the page on its default; load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (let i = 0; i < rounds; i++) {
    node.push(await nodeRound());
    const p = await pageRound();
    pageBackend = p.backend;
    inPage.push(p.rate);
    longest.push(p.longest);
    counts.push(p.longTasks);
    cpu.push(p.traced.cpu);
    log(`  round ${i + 1}: Node ${node.at(-1)!.toFixed(0)}  page ${p.rate.toFixed(0)} samples/s (${p.backend}); longest main-thread task ${p.longest.toFixed(0)} ms (${p.longTasks} over 50 ms); ` +
      `traced: longest task ${p.traced.wall.toFixed(1)} ms wall, most CPU in one task ${p.traced.cpu.toFixed(1)} ms`);
  }
} finally {
  await session.close();
}
const n = median(node), pg = median(inPage);
console.log(`Model A samples/s: Node wasm (${nodeThreads} thread${nodeThreads > 1 ? 's' : ''}) ${n.toFixed(0)}, page (${pageBackend}, Chromium worker) ${pg.toFixed(0)}: page/Node = ${(pg / n).toFixed(2)} (goal ≥ 0.5)`);
console.log(`longest main-thread task while training: median ${median(longest).toFixed(0)} ms, worst ${Math.max(...longest).toFixed(0)} ms over ${rounds} rounds (goal < 50 ms; 0: none over 50 ms); long tasks per run ${counts.join(', ')}`);
console.log(`most CPU time in one main-thread task (trace): median ${median(cpu).toFixed(1)} ms, worst ${Math.max(...cpu).toFixed(1)} ms`);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

