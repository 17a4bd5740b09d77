/**
 * Every autoencoder variant through the real CLI: it trains, its terms reach metrics.json, the
 * model commands use it, and a run resumed after its first epoch ends bit-identical to one that
 * was not interrupted (weights, buffers, noise and sampling all replay from the seed).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { decodePng } from '../src/util/png.js';
import { aekit, tempDir } from './helpers.js';

const SMALL = ['--limit', '1500', '--hidden', '32', '--latent-dim', '4', '--batch-size', '100', '--seed', '9', '--quiet'];
// Conv bodies: small nets over every layer type (pooling, upsampling, batch norm, dropout, dense, reshape).
const CONV = ['--limit', '600', '--batch-size', '50', '--seed', '9', '--quiet'];
const CONV_ENC = 'conv(4,3,relu,same),bn,maxpool(2),conv(6,3,s2,relu,same),dropout(0.1)';
const CONV_DEC = 'convt(6,3,s2,relu,same),up(2),avgpool(3,s1,p1),conv(1,3,same)';
const VARIANTS: Record<string, { kind?: string; base?: string[]; flags: string[]; terms: string[]; pictures?: string[] }> = {
  dense: { flags: ['--batch-norm', '--dropout', '0.1'], terms: ['recon'] },
  denoising: { flags: ['--noise', 'salt-and-pepper', '--noise-level', '0.2'], terms: ['recon'], pictures: ['denoising.png'] },
  sparse: { flags: ['--latent-activation', 'sigmoid', '--kl-sparsity', '0.1', '--rho', '0.1'], terms: ['recon', 'sparsity', 'meanActivation'] },
  contractive: { flags: ['--activation', 'sigmoid', '--latent-activation', 'sigmoid', '--contraction', '0.01'], terms: ['recon', 'contraction'] },
  vae: { flags: ['--beta', '2', '--latent-dim', '2'], terms: ['recon', 'kl'], pictures: ['samples.png', 'interpolation.png', 'manifold.png'] },
  cvae: { flags: ['--latent-dim', '2', '--beta', '0.5'], terms: ['recon', 'kl'], pictures: ['samples.png', 'interpolation.png', 'analogies.png'] },
  conv: { base: CONV, flags: ['--encoder', CONV_ENC, '--decoder', CONV_DEC], terms: ['recon'] },
  'denoising over a conv body': { kind: 'denoising', base: CONV, flags: ['--body', 'conv', '--encoder', CONV_ENC, '--decoder', CONV_DEC, '--noise', 'masking', '--noise-level', '0.3'], terms: ['recon'], pictures: ['denoising.png'] },
  'vae over a conv body': {
    kind: 'vae', base: CONV, terms: ['recon', 'kl'], pictures: ['samples.png', 'interpolation.png', 'manifold.png'],
    flags: ['--body', 'conv', '--latent-dim', '2', '--encoder', 'conv(4,3,s2,relu,same),flatten,dense(8,relu)', '--decoder', 'dense(196,relu),reshape(4,7,7),convt(4,3,s2,relu,same),up(2,bilinear),conv(1,3,same)'],
  },
};

describe('every variant trains, logs its terms, serves the model commands and resumes exactly', () => {
  for (const [name, { kind = name, base = SMALL, flags, terms, pictures = [] }] of Object.entries(VARIANTS)) {
    test(name, () => {
      const root = tempDir(`aekit-${kind}-`);
      const args = ['train', '--model', kind, ...base, ...flags];
      const whole = join(root, 'whole');
      const split = join(root, 'split');
      for (const [dir, epochs] of [[whole, '2'], [split, '1']] as const) {
        const r = aekit([...args, '--epochs', epochs, '--out', dir]);
        assert.equal(r.status, 0, r.stderr);
      }
      const resumed = aekit(['train', '--resume', split, '--epochs', '2', '--quiet']);
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.ok(readFileSync(join(whole, 'model.safetensors')).equals(readFileSync(join(split, 'model.safetensors'))), 'resumed ≠ uninterrupted');
      const m = JSON.parse(readFileSync(join(whole, 'metrics.json'), 'utf8'));
      assert.deepEqual(Object.keys(m.terms.test).sort(), [...terms].sort());
      const e = aekit(['eval', whole, '--limit', '200', '--json']);
      assert.equal(e.status, 0, e.stderr);
      assert.ok(Number.isFinite(JSON.parse(e.stdout).loss));
      assert.equal(aekit(['encode', whole, '--limit', '5', '--out', join(root, 'z.npy'), '--quiet']).status, 0);
      for (const p of ['reconstructions.png', 'loss.png', ...pictures]) assert.ok(decodePng(readFileSync(join(whole, p))).width > 100, `${p} is not a picture`);
    });
  }
});

test('a VAE with KL warm-up resumes bit-identically when the total epochs stay the same (SIGKILL after the first checkpoint)', async () => {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { setTimeout: sleep } = await import('node:timers/promises');
  const { CLI, repoRoot } = await import('./helpers.js');
  const root = tempDir('aekit-vae-warmup-');
  const args = ['train', '--model', 'vae', '--kl-warmup', '0.5', '--epochs', '3', ...SMALL.filter((a) => a !== '--quiet'), '--limit', '6000', '--quiet'];
  const whole = join(root, 'whole');
  assert.equal(aekit([...args, '--out', whole]).status, 0);
  const killed = join(root, 'killed');
  const child = spawn(process.execPath, [CLI(), ...args, '--out', killed], { cwd: repoRoot(), stdio: 'ignore' });
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  const epochsDone = () => (existsSync(join(killed, 'run.json')) ? JSON.parse(readFileSync(join(killed, 'run.json'), 'utf8')).epochsDone as number : 0);
  while (epochsDone() === 0 && child.exitCode === null) await sleep(2);
  child.kill('SIGKILL');
  await exited;
  if (epochsDone() < 3) assert.equal(aekit(['train', '--resume', killed, '--quiet']).status, 0);
  assert.ok(readFileSync(join(whole, 'model.safetensors')).equals(readFileSync(join(killed, 'model.safetensors'))));
});
