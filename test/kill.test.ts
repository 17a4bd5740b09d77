/**
 * SIGKILL at random moments. A short run with a checkpoint every few milliseconds is killed at 24
 * seeded random times (before the run directory exists, mid-epoch, mid-checkpoint, mid-finish).
 * Each time the directory must be either absent, or a run that (a) no model command passes off as
 * trained unless its weights are a checkpoint's or the final model's, and (b) resumes to a final
 * model bit-identical to an uninterrupted run. AEKIT_KILL_SEED and AEKIT_KILLS change the schedule.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Rng } from '../src/core/rng.js';
import { aekit, CLI, repoRoot, tempDir } from './helpers.js';

const SEED = Number(process.env.AEKIT_KILL_SEED ?? 20261130);
const KILLS = Number(process.env.AEKIT_KILLS ?? 24);

function writeTable(path: string): void {
  const rng = new Rng(7);
  const rows = [Array.from({ length: 16 }, (_, i) => `f${i}`).join(',')];
  for (let r = 0; r < 1500; r++) rows.push(Array.from({ length: 16 }, () => rng.uniform().toFixed(4)).join(','));
  writeFileSync(path, rows.join('\n') + '\n');
}

interface Outcome {
  at: number;
  state: string;
}

test(`SIGKILL at ${KILLS} random moments: every run directory is resumable to the same model or holds no run (seed ${SEED})`, async (t) => {
  const root = tempDir('aekit-kill-');
  const csv = join(root, 'data.csv');
  writeTable(csv);
  const args = ['train', '--data', csv, '--loss', 'mse', '--output-activation', 'linear', '--hidden', '32', '--latent-dim', '4', '--batch-size', '64', '--epochs', '6', '--seed', '3', '--quiet'];
  const whole = join(root, 'whole');
  const t0 = performance.now();
  const first = aekit([...args, '--out', whole]);
  assert.equal(first.status, 0, first.stderr);
  const wallMs = performance.now() - t0;
  const reference = readFileSync(join(whole, 'model.safetensors'));
  const rng = new Rng(SEED);
  const outcomes: Outcome[] = [];
  for (let k = 0; k < KILLS; k++) {
    const at = Math.round(rng.uniform() * wallMs * 1.1);
    const dir = join(root, `killed-${k}`);
    const child = spawn(process.execPath, [CLI(), ...args, '--out', dir], { cwd: repoRoot(), stdio: 'ignore' });
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    await sleep(at);
    child.kill('SIGKILL');
    await exited;
    outcomes.push({ at, state: checkKilledRun(dir, reference, `kill ${k} at ${at} ms`) });
  }
  const states = new Set(outcomes.map((o) => o.state));
  t.diagnostic(`uninterrupted run ${wallMs.toFixed(0)} ms; kills left: ${[...states].map((s) => `${s} ×${outcomes.filter((o) => o.state === s).length}`).join('; ')}`);
  assert.ok(states.size >= 3, `the kills landed in too few states to mean much: ${JSON.stringify(outcomes)}`);
});

/** Check one killed run directory; returns which state the kill left it in. */
function checkKilledRun(dir: string, reference: Buffer, label: string): string {
  if (!existsSync(dir)) return 'no directory';
  assert.ok(existsSync(join(dir, 'run.json')), `${label}: ${dir} exists but holds no run.json (${readdirSync(dir).join(', ')})`);
  const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; epochsDone: number; checkpoint: string | null };
  const state = `${rec.status}, ${rec.checkpoint === null ? 'no checkpoint' : 'a checkpoint'}`;
  checkNoUntrainedWeights(dir, rec, label);
  if (rec.status !== 'finished') {
    const r = aekit(['train', '--resume', dir, '--quiet']);
    assert.equal(r.status, 0, `${label}: resume failed: ${r.stderr}`);
  }
  assert.ok(readFileSync(join(dir, 'model.safetensors')).equals(reference), `${label} (${state}): the resumed model differs from the uninterrupted one`);
  return state;
}

/** eval must refuse a run with no checkpoint, and otherwise report exactly its checkpoint's (or final) weights. */
function checkNoUntrainedWeights(dir: string, rec: { status: string; checkpoint: string | null }, label: string): void {
  const e = aekit(['eval', dir, '--json']);
  if (rec.status !== 'finished' && rec.checkpoint === null) {
    assert.equal(e.status, 3, `${label}: eval of a run without a checkpoint must refuse: ${e.stdout}${e.stderr}`);
    assert.match(e.stderr, /holds no trained weights/);
    return;
  }
  assert.equal(e.status, 0, `${label}: ${e.stderr}`);
  const source = rec.status === 'finished' ? dir : join(dir, rec.checkpoint!);
  const direct = aekit(['eval', source, '--json']);
  assert.equal(JSON.parse(e.stdout).loss, JSON.parse(direct.stdout).loss, `${label}: eval did not use the weights run.json points to`);
  if (rec.status !== 'finished') assert.match(e.stderr, /is not a finished model/);
}
