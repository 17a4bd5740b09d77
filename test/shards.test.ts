/**
 * Sharded batch jobs with the real CLI: `--shards` here gives each shard the plain command's output
 * byte for byte, and on a real redis-server a worker SIGKILLed mid-shard still leaves every output
 * written exactly once, equal to the local run's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { aekit, CLI, freePort, hasRedis, startRedis, startWorker, tempDir, until } from './helpers.js';

/** Rows of `width` values in [0, 1] from a fixed linear congruential sequence. */
function csv(path: string, rows: number, seed: number, width = 8): void {
  let s = seed;
  const next = (): number => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  writeFileSync(path, Array.from({ length: rows }, () => Array.from({ length: width }, () => next().toFixed(4)).join(',')).join('\n') + '\n');
}

/** A folder with train.csv, a model trained on it, a detector fitted on it and shards parts/p0..p2.csv. */
function fixture(): { dir: string; model: string; detector: string; glob: string; shards: string[] } {
  const dir = tempDir();
  csv(join(dir, 'train.csv'), 200, 1);
  mkdirSync(join(dir, 'parts'));
  const shards = [0, 1, 2].map((k) => join(dir, 'parts', `p${k}.csv`));
  shards.forEach((p, k) => csv(p, 50 + 10 * k, 100 + k));
  const model = join(dir, 'model');
  const t = aekit(['train', '--data', join(dir, 'train.csv'), '--epochs', '1', '--hidden', '8', '--latent-dim', '2', '--out', model, '--quiet']);
  assert.equal(t.status, 0, t.stderr);
  const detector = join(dir, 'detector');
  const f = aekit(['anomaly', 'fit', '--data', join(dir, 'train.csv'), '--members', '1', '--epochs', '2', '--out', detector, '--quiet']);
  assert.equal(f.status, 0, f.stderr);
  return { dir, model, detector, glob: join(dir, 'parts', '*.csv'), shards };
}

let shared: ReturnType<typeof fixture> | null = null;
const setup = (): ReturnType<typeof fixture> => (shared ??= fixture());

interface Manifest { outputs: number; failed: unknown[]; shards: { index: number; shard: string; output: string; rows: number; worker: string }[] }
const manifestOf = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;

test('--shards here writes one output per shard, each the plain command\'s, and a manifest', () => {
  const f = setup();
  for (const [words, ext] of [[['reconstruct', f.model], 'npy'], [['anomaly', 'score', f.detector], 'csv']] as const) {
    const out = join(f.dir, `${words[0]}-out`);
    const r = aekit([...words, '--shards', f.glob, '--out', out, '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['manifest.json', `p0.${ext}`, `p1.${ext}`, `p2.${ext}`]);
    assert.deepEqual(manifestOf(out).shards.map((s) => [s.index, s.output, s.rows]), [0, 1, 2].map((k) => [k, `p${k}.${ext}`, 50 + 10 * k]));
    const plain = join(f.dir, `plain.${ext}`);
    const p = aekit([...words, '--data', f.shards[2]!, '--out', plain, '--quiet']);
    assert.equal(p.status, 0, p.stderr);
    assert.ok(readFileSync(plain).equals(readFileSync(join(out, `p2.${ext}`))), `${words[0]}: shard output differs from the plain command's`);
  }
});

test('--shards refuses --data, a glob that matches nothing, --queue alone and an unreachable Redis (before writing anything)', async () => {
  const f = setup();
  const out = join(f.dir, 'refused');
  const both = aekit(['encode', f.model, '--shards', f.glob, '--data', f.shards[0]!, '--out', out]);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /--shards replaces --data/);
  const none = aekit(['encode', f.model, '--shards', join(f.dir, 'parts', '*.npy'), '--out', out]);
  assert.equal(none.status, 3);
  assert.match(none.stderr, /matches no files/);
  const alone = aekit(['encode', f.model, '--data', f.shards[0]!, '--out', join(f.dir, 'x.npy'), '--queue', 'redis://127.0.0.1:1']);
  assert.equal(alone.status, 2);
  assert.match(alone.stderr, /--queue runs shards/);
  const port = await freePort();
  const gone = aekit(['encode', f.model, '--shards', f.glob, '--out', out, '--queue', `redis://127.0.0.1:${port}`]);
  assert.equal(gone.status, 2);
  assert.match(gone.stderr, new RegExp(`cannot reach Redis at 127.0.0.1:${port} within 5 s`));
  assert.equal(existsSync(out), false);
});

test('a sharded encode on the queue with its worker SIGKILLed mid-shard writes every output exactly once, equal to the local run', { skip: hasRedis ? false : 'redis-server is not installed (.ci/run installs it)' }, async () => {
  const f = setup();
  const local = join(f.dir, 'encode-local');
  const l = aekit(['encode', f.model, '--shards', f.glob, '--out', local, '--quiet']);
  assert.equal(l.status, 0, l.stderr);
  const redis = await startRedis();
  const first = startWorker(redis.url, join(f.dir, 'w0'));
  let second: ReturnType<typeof startWorker> | null = null;
  try {
    const out = join(f.dir, 'encode-queued');
    const submit = spawn(process.execPath, [CLI(), 'encode', f.model, '--shards', f.glob, '--out', out, '--queue', redis.url, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    submit.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    // Only the first worker runs, so the shard it started is under way when it dies; the second must take it over.
    await until(() => /shard \S+ \S+ started/.test(first.log.text), 60_000);
    first.proc.kill('SIGKILL');
    const killed = /shard [0-9a-f]+\/(\d+) /.exec(first.log.text)![1]!;
    second = startWorker(redis.url, join(f.dir, 'w1'));
    const code = await new Promise<number | null>((r) => submit.once('exit', r));
    assert.equal(code, 0, err + first.log.text + second.log.text);
    assert.deepEqual(readdirSync(out).sort(), readdirSync(local).sort());
    for (const name of readdirSync(local).filter((n) => n.endsWith('.npy'))) assert.ok(readFileSync(join(out, name)).equals(readFileSync(join(local, name))), `${name} differs from the local run's`);
    const m = manifestOf(out);
    assert.deepEqual(m.shards.map((s) => s.index), [0, 1, 2]);
    assert.equal(m.failed.length, 0);
    assert.match(m.shards[Number(killed)]!.worker, new RegExp(`:${second.proc.pid}$`), 'the killed worker\'s shard was run again by the other worker');
    assert.equal(redis.cli('keys', 'aekit:batch:*'), '', 'outputs are removed from Redis once written');
  } finally {
    first.proc.kill('SIGKILL');
    second?.proc.kill('SIGKILL');
    redis.stop();
  }
});
