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
  // The reference run is watched as it goes, so the kill schedule follows its phases on this
  // machine: a slow host spends most of a short run loading modules before the directory exists,
  // and kills drawn over the whole wall time would then nearly all land before it.
  const { wallMs, dirMs, finishedMs } = await timedRun([...args, '--out', whole], whole);
  const reference = readFileSync(join(whole, 'model.safetensors'));
  const rng = new Rng(SEED);
  const outcomes: Outcome[] = [];
  for (let k = 0; k < KILLS; k++) {
    // One kill in six before the directory appears (timed from the spawn), the rest timed from the
    // moment this child's own directory appears, since start-up time varies more than a short run
    // lasts: one in six between the finish and the exit, the rest over the training between
    // (checkpoints, mid-epoch, mid-write).
    const before = k % 6 === 0;
    const [lo, hi] = before ? [0, dirMs] : k % 6 === 1 ? [finishedMs - dirMs, wallMs - dirMs] : [0, finishedMs - dirMs];
    const at = Math.round(lo + rng.uniform() * (hi - lo));
    const dir = join(root, `killed-${k}`);
    const child = spawn(process.execPath, [CLI(), ...args, '--out', dir], { cwd: repoRoot(), stdio: 'ignore' });
    let gone = false;
    const exited = new Promise<void>((res) => child.on('exit', () => ((gone = true), res())));
    if (!before) while (!gone && !existsSync(dir)) await sleep(1);
    await sleep(at);
    child.kill('SIGKILL');
    await exited;
    outcomes.push({ at, state: checkKilledRun(dir, reference, `kill ${k} ${before ? 'at' : 'after its directory +'} ${at} ms`) });
  }
  const states = new Set(outcomes.map((o) => o.state));
  t.diagnostic(`uninterrupted run ${wallMs.toFixed(0)} ms: its directory after ${dirMs.toFixed(0)} ms, finished after ${finishedMs.toFixed(0)} ms; kills left: ${[...states].map((s) => `${s} ×${outcomes.filter((o) => o.state === s).length}`).join('; ')}`);
  assert.ok(states.size >= 3, `the kills landed in too few states to mean much: ${JSON.stringify(outcomes)}`);
});

/** Run aekit to completion, noting when its run directory appears and when run.json first says finished (polled every 2 ms). */
async function timedRun(args: readonly string[], dir: string): Promise<{ wallMs: number; dirMs: number; finishedMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI(), ...args], { cwd: repoRoot(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  let dirMs = Number.NaN;
  let finishedMs = Number.NaN;
  let done = false;
  void code.then(() => (done = true));
  while (!done) {
    if (Number.isNaN(dirMs) && existsSync(dir)) dirMs = performance.now() - t0;
    if (!Number.isNaN(dirMs) && Number.isNaN(finishedMs) && runStatus(dir) === 'finished') finishedMs = performance.now() - t0;
    await sleep(2);
  }
  const wallMs = performance.now() - t0;
  assert.equal(await code, 0, stderr);
  assert.ok(!Number.isNaN(dirMs), 'the reference run exited before its directory was ever seen');
  return { wallMs, dirMs, finishedMs: Number.isNaN(finishedMs) ? wallMs : finishedMs };
}

/** run.json's status, or null while it is absent (it is written by rename, so never half-read). */
function runStatus(dir: string): string | null {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) return null;
  return (JSON.parse(readFileSync(path, 'utf8')) as { status: string }).status;
}

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
