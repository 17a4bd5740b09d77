/**
 * End-to-end studies with the real CLI: a local study killed and resumed loses nothing; on a real
 * redis-server (started here on a free loopback port) a queued study with three workers, one
 * SIGKILLed mid-trial, completes every trial exactly once, and a queued study killed and resumed
 * runs no trial twice.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { aekit, CLI, freePort, hasRedis, startRedis, startWorker, tempDir, until } from './helpers.js';

const TRAIN = ['--epochs', '2', '--limit', '300', '--latent-dim', '4', '--hidden', '16', '--pruner', 'none', '--quiet'];

function space(dir: string): string {
  const p = join(dir, 'space.json');
  writeFileSync(p, JSON.stringify({ 'optimizer.lr': { type: 'float', low: 1e-3, high: 1e-2, log: true }, 'model.activation': { type: 'choice', values: ['relu', 'tanh'] } }));
  return p;
}

interface Trial { number: number; state: string; value: number | null }
const trialsOf = (dir: string): Trial[] => (JSON.parse(readFileSync(join(dir, 'trials.json'), 'utf8')) as { trials: Trial[] }).trials;

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

test('a queued study with three workers, one SIGKILLed mid-trial, completes every trial exactly once', { skip: hasRedis ? false : 'redis-server is not installed (.ci/run installs it)' }, async () => {
  const dir = tempDir();
  const redis = await startRedis();
  const workers = [0, 1, 2].map((i) => startWorker(redis.url, join(dir, `w${i}`)));
  try {
    const out = join(dir, 'study');
    const tune = spawn(process.execPath, [CLI(), 'tune', '--space', space(dir), '--out', out, '--trials', '6', '--parallel', '6', '--sampler', 'random', '--queue', redis.url, ...TRAIN], { stdio: 'ignore' });
    await until(() => /started/.test(workers[0]!.log.text), 60_000);
    workers[0]!.proc.kill('SIGKILL');
    const code = await new Promise<number | null>((r) => tune.once('exit', r));
    assert.equal(code, 0, workers.map((w) => w.log.text).join('\n'));
    const trials = trialsOf(out);
    assert.deepEqual(trials.map((t) => t.number), [0, 1, 2, 3, 4, 5]);
    assert.ok(trials.every((t) => t.state === 'complete' && t.value !== null), JSON.stringify(trials));
    assert.equal(redis.cli('hlen', redis.cli('keys', 'aekit:study:*:trials')), '6');
  } finally {
    for (const w of workers) w.proc.kill('SIGKILL');
    redis.stop();
  }
});

test('a queued study killed and resumed finishes every trial and runs none twice', { skip: hasRedis ? false : 'redis-server is not installed (.ci/run installs it)' }, async () => {
  const dir = tempDir();
  const redis = await startRedis();
  const worker = startWorker(redis.url, join(dir, 'w'));
  try {
    const out = join(dir, 'study');
    let log = '';
    const tune = spawn(process.execPath, [CLI(), 'tune', '--space', space(dir), '--out', out, '--trials', '3', '--parallel', '1', '--sampler', 'random', '--queue', redis.url, ...TRAIN.filter((a) => a !== '--quiet')], { stdio: ['ignore', 'ignore', 'pipe'] });
    tune.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
    await until(() => /trial +0 +complete/.test(log), 120_000);
    tune.kill('SIGKILL');
    await new Promise((r) => tune.once('exit', r));
    // No --queue: the study remembers its queue.
    const r = aekit(['tune', '--resume', out, '--json', '--quiet']);
    assert.equal(r.status, 0, r.stderr + worker.log.text);
    assert.deepEqual(trialsOf(out).map((t) => [t.number, t.state]), [[0, 'complete'], [1, 'complete'], [2, 'complete']]);
    await until(() => /trial [0-9a-f]+\/2 complete/.test(worker.log.text), 10_000); // the log is read once spawnSync lets the event loop run
    for (const n of [0, 1, 2]) assert.equal(worker.log.text.match(new RegExp(`trial [0-9a-f]+/${n} started`, 'g'))?.length, 1, worker.log.text);
  } finally {
    worker.proc.kill('SIGKILL');
    redis.stop();
  }
});

test('an unreachable Redis is a clear error naming the address, not a hang', async () => {
  const dir = tempDir();
  const port = await freePort();
  const t0 = Date.now();
  const r = aekit(['tune', '--space', space(dir), '--out', join(dir, 's'), '--trials', '2', '--queue', `redis://127.0.0.1:${port}`, ...TRAIN]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`cannot reach Redis at 127.0.0.1:${port} within 5 s`));
  assert.equal(existsSync(join(dir, 's')), false, 'the study directory is created only once Redis answers');
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
