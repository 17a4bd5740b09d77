/**
 * Exact resume: a run killed with SIGKILL in the middle of an epoch and resumed from its last
 * checkpoint ends with weights bit-identical to an uninterrupted run with the same seed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { aekit, CLI, repoRoot, tempDir } from './helpers.js';

const BACKENDS = (process.env.AEKIT_TEST_BACKENDS ?? 'reference,native').split(',');

for (const backend of BACKENDS) {
  test(`SIGKILL mid-epoch, then --resume, gives bit-identical weights (${backend})`, async (t) => {
    // Enough work per epoch that the kill lands inside one, on either backend.
    const size = backend === 'reference' ? ['--limit', '4000', '--hidden', '64'] : ['--limit', '20000', '--hidden', '512,256'];
    const args = ['train', ...size, '--latent-dim', '8', '--batch-size', '32', '--epochs', '3', '--seed', '11', '--backend', backend, '--quiet'];
    const root = tempDir();
    const whole = join(root, 'whole');
    const first = aekit([...args, '--out', whole]);
    if (first.status === 2 && /not available/.test(first.stderr)) return t.skip(`backend ${backend} is not available here: ${first.stderr.trim()}`);
    assert.equal(first.status, 0, first.stderr);

    const killed = join(root, 'killed');
    const child = spawn(process.execPath, [CLI(), ...args, '--out', killed], { cwd: repoRoot(), stdio: 'ignore' });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    while (checkpointEpoch(killed) === 0) await sleep(5);
    const epochSeconds = epochTime(whole);
    await sleep(epochSeconds * 400); // about 40% into the second epoch
    child.kill('SIGKILL');
    await exited;
    const ptr = { epoch: checkpointEpoch(killed) };
    assert.ok(ptr.epoch < 3, 'the run was killed before it finished');
    assert.ok(!existsSync(join(killed, 'metrics.json')));

    const resumed = aekit(['train', '--resume', killed, '--quiet']);
    assert.equal(resumed.status, 0, resumed.stderr);
    const a = readFileSync(join(whole, 'model.safetensors'));
    const b = readFileSync(join(killed, 'model.safetensors'));
    assert.ok(a.equals(b), `weights differ after resuming from epoch ${ptr.epoch}`);
  });
}

/** Epochs completed by the run's last checkpoint, from run.json (0 while it has none or is not yet written). */
function checkpointEpoch(runDir: string): number {
  try {
    return (JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { epochsDone: number }).epochsDone;
  } catch {
    return 0;
  }
}

function epochTime(runDir: string): number {
  const events = readFileSync(join(runDir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; seconds?: number });
  return events.find((e) => e.type === 'epoch_end')!.seconds!;
}
