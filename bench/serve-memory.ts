/**
 * RSS of `aekit serve` across repeated overloads: RSS before, then after each of ROUNDS loads of
 * SECONDS at RATE req/s from 256 connections (single-row encode requests). Growth that stops after
 * the first load is warm-up; growth every round is a leak.
 * Usage: node dist/bench/serve-memory.js MODEL_DIR [RATE=15000] [SECONDS=12] [ROUNDS=4]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './peer.js';

type Cannon = (o: Record<string, unknown>) => Promise<{ '2xx': number; errors: number; timeouts: number; non2xx: number }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;
const [model, rate = '15000', seconds = '12', rounds = '4'] = process.argv.slice(2);
if (!model) throw new Error('usage: node dist/bench/serve-memory.js MODEL_DIR [RATE] [SECONDS] [ROUNDS]');
const port = 18700 + (process.pid % 100);
const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'serve', `A=${model}`, '--port', String(port), '--quiet'], { stdio: 'inherit' });
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
for (let i = 0; i < 300; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch {
    // not up yet
  }
  await new Promise((r) => setTimeout(r, 100));
}
const body = JSON.stringify({ inputs: [Array.from({ length: 784 }, (_, i) => (i % 7) / 7)] });
const out: Record<string, unknown>[] = [{ round: 0, rssMiB: +rss().toFixed(1) }];
for (let k = 1; k <= Number(rounds); k++) {
  const r = await autocannon({ url: `http://127.0.0.1:${port}/v1/models/A/encode`, method: 'POST', connections: 256, overallRate: Number(rate), duration: Number(seconds), timeout: 30, headers: { 'content-type': 'application/json' }, body });
  out.push({ round: k, rssMiB: +rss().toFixed(1), ok: r['2xx'], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts });
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
child.kill('SIGTERM');
