/** Shared helpers for end-to-end tests: repository paths, running the real CLI, temp folders. */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** Resolve when `check()` holds, polling every 100 ms; throw after `ms`. */
export async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A loopback TCP port nobody listens on (at the moment of asking). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Whether Debian's redis-server is installed (.ci/run installs it). */
export const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

/** A real redis-server on a free loopback port, without persistence; `stop()` ends it. */
export async function startRedis(): Promise<{ url: string; port: number; cli: (...args: string[]) => string; stop: () => void }> {
  const port = await freePort();
  const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const cli = (...args: string[]): string => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
  await until(() => cli('ping') === 'PONG', 10_000);
  return { url: `redis://127.0.0.1:${port}`, port, cli, stop: () => server.kill('SIGTERM') };
}

/** Start `aekit worker` on the queue at `url`, collecting its log lines in `log.text`. */
export function startWorker(url: string, workDir: string, extra: readonly string[] = []): { proc: ChildProcess; log: { text: string } } {
  const log = { text: '' };
  const proc = spawn(process.execPath, [CLI(), 'worker', '--queue', url, '--work-dir', workDir, '--threads', '1', '--lock-seconds', '2', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.on('data', (d: Buffer) => { log.text += d.toString(); });
  return { proc, log };
}
