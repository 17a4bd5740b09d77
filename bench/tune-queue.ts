/**
 * The queue's scaling and overhead (a speed run: hold the bench lock). One redis-server on a free
 * loopback port; the same 16 trials (random sampler, fixed seed, so every run trains the same
 * configs) through the queue with 1, 2 and 4 local `aekit worker`s, and locally with --parallel 2
 * (one trial per core, no queue) as the peer. Then the queue's own latency with trivially cheap trials, one at a time on one
 * worker (nobody waits for a free worker): enqueue → start on the worker, end → recorded.
 *   node dist/bench/tune-queue.js [--trials 16] [-- train flags]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './peer.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'aekit-tune-queue-'));
const USAGE = `Usage: node dist/bench/tune-queue.js [--trials N] [-- TRAIN_FLAGS]

The same N trials (default 16) locally with --parallel = cores and through one redis-server with
1, 2 and 4 local workers, then the queue's latency per trial. TRAIN_FLAGS default: --epochs 1 --limit 3000.`;
const { values, positionals } = benchArgs(USAGE, { options: { trials: { type: 'string', default: '16' } }, allowPositionals: true });
const trials = values.trials;
if (!/^[1-9][0-9]*$/.test(trials)) {
  console.error(`--trials: expected a whole number ≥ 1, got ${trials}\n\n${USAGE}`);
  process.exit(2);
}
const budget = positionals.length > 0 ? positionals : ['--epochs', '1', '--limit', '3000'];
const cores = availableParallelism();
const space = join(dir, 'space.json');
writeFileSync(space, JSON.stringify({
  'optimizer.lr': { type: 'float', low: 1e-4, high: 1e-2, log: true },
  'train.batchSize': { type: 'choice', values: [64, 128, 256] },
  depth: { type: 'int', low: 1, high: 2 },
  'model.hidden[0]': { type: 'int', low: 32, high: 256, log: true },
  'model.hidden[1]': { type: 'int', low: 16, high: 128, log: true, when: { depth: { min: 2 } } },
  'model.activation': { type: 'choice', values: ['relu', 'tanh', 'gelu'] },
}));

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
const url = `redis://127.0.0.1:${port}`;
for (let i = 0; spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG'; i++) {
  if (i > 100) throw new Error('redis-server did not start');
  await new Promise((r) => setTimeout(r, 100));
}

interface Latency { trial: number; pickupMs: number; collectMs: number }
interface Summary { counts: Record<string, number>; seconds: number; queueLatency?: Latency[] }

function tune(name: string, args: string[]): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, 'tune', '--space', space, '--out', join(dir, name), '--trials', trials, '--sampler', 'random', '--study-seed', '7', '--pruner', 'none', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Summary) : reject(new Error(`${name}: exit ${code}: ${err}`))));
  });
}

function workers(n: number, threads: number): ChildProcess[] {
  return Array.from({ length: n }, (_, i) => spawn(process.execPath, [CLI, 'worker', '--queue', url, '--work-dir', join(dir, `work-${n}-${i}`), '--threads', String(threads), '--quiet'], { stdio: 'ignore' }));
}

async function stopAll(ws: ChildProcess[]): Promise<void> {
  await Promise.all(ws.map((w) => new Promise((r) => { w.once('exit', r); w.kill('SIGTERM'); })));
}

const pct = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const rows: string[] = [];
try {
  console.log(`${trials} trials, ${budget.join(' ')}; ${cores} cores; load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const t0 = performance.now();
  const local = await tune('local', ['--parallel', String(cores), ...budget]);
  rows.push(`| local --parallel ${cores} (no queue) | ${((performance.now() - t0) / 1000).toFixed(1)} | ${JSON.stringify(local.counts)} | — |`);
  console.log(rows.at(-1));
  for (const n of [1, 2, 4]) {
    const ws = workers(n, Math.max(1, Math.floor(cores / n)));
    await new Promise((r) => setTimeout(r, 1500)); // workers connected before the clock starts
    const t0 = performance.now();
    const s = await tune(`queue-${n}`, ['--queue', url, '--parallel', trials, ...budget]);
    const wall = (performance.now() - t0) / 1000;
    await stopAll(ws);
    const collect = s.queueLatency!.map((l) => l.collectMs);
    rows.push(`| queue, ${n} worker${n > 1 ? 's' : ''} × ${Math.max(1, Math.floor(cores / n))} thread(s) | ${wall.toFixed(1)} | ${JSON.stringify(s.counts)} | collect median ${pct(collect, 0.5)} ms |`);
    console.log(rows.at(-1));
  }
  // Latency alone: cheap trials, one at a time, one worker that is always free.
  const ws = workers(1, 1);
  await new Promise((r) => setTimeout(r, 1500));
  const s = await tune('latency', ['--queue', url, '--parallel', '1', '--trials', '10', '--epochs', '1', '--limit', '200', '--latent-dim', '2']);
  await stopAll(ws);
  const pick = s.queueLatency!.map((l) => l.pickupMs);
  const coll = s.queueLatency!.map((l) => l.collectMs);
  const total = s.queueLatency!.map((l) => l.pickupMs + l.collectMs);
  console.log(`queue latency over ${pick.length} cheap trials (ms): enqueue→start median ${pct(pick, 0.5)} max ${Math.max(...pick)}; end→recorded median ${pct(coll, 0.5)} max ${Math.max(...coll)}; per trial median ${pct(total, 0.5)} p90 ${pct(total, 0.9)} max ${Math.max(...total)}`);
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('\n| run | wall s | trials | notes |\n|---|---:|---|---|');
  for (const r of rows) console.log(r);
} finally {
  redis.kill('SIGTERM');
}
