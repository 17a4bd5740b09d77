/** PyTorch reads aekit's model.safetensors by parameter name and reproduces its reconstructions. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { aekit, repoRoot, systemPython, tempDir } from './helpers.js';

const py = systemPython(['torch', 'numpy']);

for (const variant of [[], ['--tied-weights'], ['--normalize', 'standard', '--loss', 'mse', '--output-activation', 'linear', '--activation', 'tanh']]) {
  test(`PyTorch reproduces aekit's reconstructions of 10 test digits to 1e-5 ${variant.join(' ')}`, { skip: py ? false : 'Debian python3-torch is not installed (.ci/run installs it)' }, () => {
    const dir = join(tempDir(), 'run');
    const r = aekit(['train', '--limit', '2000', '--epochs', '1', '--hidden', '64', '--latent-dim', '8', '--out', dir, '--quiet', ...variant]);
    assert.equal(r.status, 0, r.stderr);
    const recon = join(dir, 'recon.npy');
    const rr = aekit(['reconstruct', dir, '--data', 'mnist:test', '--limit', '10', '--out', recon, '--quiet']);
    assert.equal(rr.status, 0, rr.stderr);
    const p = spawnSync(py!, [join(repoRoot(), 'tools', 'torch_reconstruct.py'), dir, recon, '--count', '10', '--tol', '1e-5'], { encoding: 'utf8' });
    assert.equal(p.status, 0, p.stdout + p.stderr);
    const out = JSON.parse(p.stdout.trim().split('\n').at(-1)!);
    assert.equal(out.ok, true);
    assert.ok(out.maxAbsDiff <= 1e-5, `max |Δ| = ${out.maxAbsDiff}`);
  });
}
