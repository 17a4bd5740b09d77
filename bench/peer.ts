/** Running the PyTorch/NumPy peer the way it is fastest on this machine (../shared/TARGETS.md). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The environment for the peer: OpenBLAS's core-type overrides removed, passive OpenMP waiting. */
export function peerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** Run a command that prints one JSON line last; returns the parsed object. */
export function runJson(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

export const torch = (args: readonly string[]): Record<string, unknown> => runJson(PYTHON, [join(ROOT, 'bench', 'torch_models.py'), ...args], peerEnv());
export const aekit = (args: readonly string[]): Record<string, unknown> => runJson(process.execPath, [join(ROOT, 'dist', 'bench', 'aekit-models.js'), ...args]);

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
