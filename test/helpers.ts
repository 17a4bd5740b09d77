/** Shared helpers for end-to-end tests: repository paths, running the real CLI, temp folders. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the test file');
    dir = up;
  }
  return dir;
}

export const CLI = (): string => join(repoRoot(), 'dist', 'src', 'cli', 'main.js');

/** Run the real `aekit` binary (compiled) with arguments; never throws. */
export function aekit(args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI(), ...args], {
    cwd: opts.cwd ?? repoRoot(),
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 300_000,
  });
}

export function tempDir(prefix = 'aekit-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Debian's python3 (with torch and numpy), or null when it is not installed. */
export function systemPython(modules: readonly string[] = ['numpy']): string | null {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return null;
  const r = spawnSync(py, ['-c', modules.map((m) => `import ${m}`).join('; ') || 'pass'], { encoding: 'utf8' });
  return r.status === 0 ? py : null;
}
