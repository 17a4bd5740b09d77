/**
 * Ctrl-C (SIGINT) and SIGTERM stop `aekit train` after the step under way: the run directory is
 * marked interrupted at its last checkpoint, the exit status is 128 + the signal, and the run
 * resumes to the same final model as an uninterrupted run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Rng } from '../src/core/rng.js';
import { aekit, CLI, repoRoot, tempDir } from './helpers.js';

function writeTable(path: string): void {
  const rng = new Rng(11);
  const rows = [Array.from({ length: 12 }, (_, i) => `f${i}`).join(',')];
  for (let r = 0; r < 2000; r++) rows.push(Array.from({ length: 12 }, () => rng.uniform().toFixed(4)).join(','));
  writeFileSync(path, rows.join('\n') + '\n');
}

/** Wait until events.jsonl of `dir` records a checkpoint (the run is mid-training with one saved). */
async function firstCheckpoint(dir: string, timeoutMs = 60_000): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const path = join(dir, 'events.jsonl');
    if (existsSync(path) && readFileSync(path, 'utf8').includes('"type":"checkpoint"')) return;
    await sleep(20);
  }
  throw new Error(`no checkpoint in ${dir} after ${timeoutMs} ms`);
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} stops training at the last checkpoint, exits ${code}, and the run resumes to the uninterrupted model`, async () => {
    const root = tempDir('aekit-stop-');
    const csv = join(root, 'data.csv');
    writeTable(csv);
    const args = ['train', '--data', csv, '--loss', 'mse', '--output-activation', 'linear', '--hidden', '16', '--latent-dim', '3', '--batch-size', '32', '--seed', '5'];
    const dir = join(root, 'run');
    const child = spawn(process.execPath, [CLI(), ...args, '--epochs', '100000', '--out', dir], { cwd: repoRoot(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
    const exited = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    await firstCheckpoint(dir);
    child.kill(signal);
    assert.equal(await exited, code, stderr);
    assert.match(stderr, new RegExp(`${signal}: stopping after this step`));
    assert.match(stderr, /aekit train --resume .* continues it/);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; epochsDone: number; checkpoint: string; message: string };
    assert.equal(run.status, 'interrupted');
    assert.ok(run.epochsDone >= 1);
    assert.match(run.message, new RegExp(`stopped by ${signal} after epoch ${run.epochsDone}`));
    assert.ok(existsSync(join(dir, run.checkpoint, 'model.safetensors')));
    assert.ok(!existsSync(join(dir, 'model.safetensors')), 'an interrupted run has no final model');
    // Resume to one epoch past the checkpoint; an uninterrupted run of that length gives the same weights.
    const epochs = String(run.epochsDone + 1);
    const resumed = aekit(['train', '--resume', dir, '--epochs', epochs, '--quiet']);
    assert.equal(resumed.status, 0, resumed.stderr);
    const whole = aekit([...args, '--epochs', epochs, '--out', join(root, 'whole'), '--quiet']);
    assert.equal(whole.status, 0, whole.stderr);
    assert.deepEqual(readFileSync(join(dir, 'model.safetensors')), readFileSync(join(root, 'whole', 'model.safetensors')));
  });
}
