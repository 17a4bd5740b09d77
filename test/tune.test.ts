/**
 * End-to-end studies with the real CLI: a local study killed and resumed loses nothing, and a
 * queued study on a real redis-server (started here on a free loopback port) with three workers,
 * one SIGKILLed mid-trial, completes every trial exactly once.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { aekit, CLI, tempDir } from './helpers.js';

const TRAIN = ['--epochs', '2', '--limit', '300', '--latent-dim', '4', '--hidden', '16', '--pruner', 'none', '--quiet'];

function space(dir: string): string {
  const p = join(dir, 'space.json');
  writeFileSync(p, JSON.stringify({ 'optimizer.lr': { type: 'float', low: 1e-3, high: 1e-2, log: true }, 'model.activation': { type: 'choice', values: ['relu', 'tanh'] } }));
  return p;
}

interface Trial { number: number; state: string; value: number | null }
const trialsOf = (dir: string): Trial[] => (JSON.parse(readFileSync(join(dir, 'trials.json'), 'utf8')) as { trials: Trial[] }).trials;

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a local study killed mid-trial and resumed keeps its finished trials and runs every trial once', async () => {
  const dir = tempDir();
  const out = join(dir, 'study');
  const child = spawn(process.execPath, [CLI(), 'tune', '--space', space(dir), '--out', out, '--trials', '3', '--parallel', '1', '--sampler', 'random', ...TRAIN], { stdio: 'ignore', detached: true });
  await until(() => existsSync(join(out, 'trials', 'trial-0001')), 120_000);
  process.kill(-child.pid!, 'SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const r = aekit(['tune', '--resume', out, '--json', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const trials = trialsOf(out);
  assert.deepEqual(trials.map((t) => [t.number, t.state]), [[0, 'complete'], [1, 'complete'], [2, 'complete']]);
  const best = JSON.parse(readFileSync(join(out, 'best-config.json'), 'utf8')) as { optimizer: { lr: number } };
  assert.ok(best.optimizer.lr >= 1e-3 && best.optimizer.lr <= 1e-2);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

test('a queued study with three workers, one SIGKILLed mid-trial, completes every trial exactly once', { skip: hasRedis ? false : 'redis-server is not installed (.ci/run installs it)' }, async () => {
  const dir = tempDir();
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const workers: ChildProcess[] = [];
  try {
    await until(() => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 10_000);
    const url = `redis://127.0.0.1:${port}`;
    const logs: string[] = ['', '', ''];
    for (let i = 0; i < 3; i++) {
      const w = spawn(process.execPath, [CLI(), 'worker', '--queue', url, '--work-dir', join(dir, `w${i}`), '--threads', '1', '--lock-seconds', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
      w.stderr!.on('data', (d: Buffer) => { logs[i] += d.toString(); });
      workers.push(w);
    }
    const out = join(dir, 'study');
    const tune = spawn(process.execPath, [CLI(), 'tune', '--space', space(dir), '--out', out, '--trials', '6', '--parallel', '6', '--sampler', 'random', '--queue', url, ...TRAIN], { stdio: 'ignore' });
    await until(() => /started/.test(logs[0]!), 60_000);
    workers[0]!.kill('SIGKILL');
    const code = await new Promise<number | null>((r) => tune.once('exit', r));
    assert.equal(code, 0, logs.join('\n'));
    const trials = trialsOf(out);
    assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3, 4, 5]);
    assert.ok(trials.every((t) => t.state === 'complete' && t.value !== null), JSON.stringify(trials));
    const keys = spawnSync('redis-cli', ['-p', String(port), 'keys', 'aekit:study:*:trials'], { encoding: 'utf8' }).stdout.trim().split('\n');
    assert.equal(spawnSync('redis-cli', ['-p', String(port), 'hlen', keys[0]!], { encoding: 'utf8' }).stdout.trim(), '6');
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    redis.kill('SIGTERM');
  }
});

test('an unreachable Redis is a clear error naming the address, not a hang', async () => {
  const dir = tempDir();
  const port = await freePort();
  const t0 = Date.now();
  const r = aekit(['tune', '--space', space(dir), '--out', join(dir, 's'), '--trials', '2', '--queue', `redis://127.0.0.1:${port}`, ...TRAIN]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`cannot reach Redis at 127.0.0.1:${port} within 5 s`));
  assert.ok(Date.now() - t0 < 15_000);
  const w = aekit(['worker', '--queue', `redis://127.0.0.1:${port}`]);
  assert.equal(w.status, 2);
  assert.match(w.stderr, /cannot reach Redis/);
});

test('a bad search space is refused before any trial runs', () => {
  const dir = tempDir();
  const p = join(dir, 'bad.json');
  writeFileSync(p, JSON.stringify({ 'model.activation': { type: 'choice', values: ['relu', 'swish'] } }));
  const r = aekit(['tune', '--space', p, '--out', join(dir, 's'), ...TRAIN]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /model\.activation.*"swish"/);
  assert.equal(existsSync(join(dir, 's', 'trials')), false);
});
