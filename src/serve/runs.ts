/**
 * Training jobs over HTTP: each run is `aekit train --config FILE --out RUNS/ID` in a child process
 * (its own native thread pool, and a crash cannot take the server down). Its events are the run
 * directory's events.jsonl, streamed as they are written; stopping sends SIGTERM, which `aekit
 * train` turns into an abort at its last epoch-end checkpoint (a valid, resumable run). A run that
 * finishes is handed to `onFinished`, so the server can serve it at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRunRecord } from '../train/run-dir.js';

export interface Run {
  id: string;
  dir: string;
  child: ChildProcess;
  state: 'running' | 'stopping' | 'exited';
  exitCode: number | null;
  served: boolean;
  stderr: string;
  exited: Promise<void>;
}

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export class RunManager {
  private readonly runs = new Map<string, Run>();
  private counter = 0;

  constructor(readonly root: string, private readonly onFinished: (run: Run) => void) {}

  get(id: string): Run | undefined {
    return this.runs.get(id);
  }

  list(): Run[] {
    return [...this.runs.values()];
  }

  /** Start `aekit train` on a validated config; `name` (already checked) or a fresh id. */
  start(config: unknown, name: string | undefined): Run {
    mkdirSync(this.root, { recursive: true });
    const id = name ?? this.freshId();
    const dir = resolve(this.root, id);
    if (this.runs.has(id) || existsSync(dir)) throw new Error(`a run named '${id}' already exists in ${this.root}`);
    const configFile = join(tmpdir(), `aekit-serve-${process.pid}-${id}.json`);
    writeFileSync(configFile, JSON.stringify(config));
    const child = spawn(process.execPath, [CLI, 'train', '--config', configFile, '--out', dir, '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const run: Run = { id, dir, child, state: 'running', exitCode: null, served: false, stderr: '', exited: Promise.resolve() };
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      if (run.stderr.length < 8192) run.stderr += s;
    });
    run.exited = new Promise<void>((res) => child.on('exit', (code, signal) => {
      run.state = 'exited';
      run.exitCode = code ?? (signal ? 128 : null);
      rmSync(configFile, { force: true });
      if (this.status(run) === 'finished') this.onFinished(run);
      res();
    }));
    this.runs.set(id, run);
    return run;
  }

  /** SIGTERM: the run ends at its last epoch-end checkpoint; resolves when the child has exited. */
  async stop(run: Run): Promise<void> {
    if (run.state === 'running') {
      run.state = 'stopping';
      run.child.kill('SIGTERM');
    }
    await run.exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.list().map((r) => this.stop(r)));
  }

  status(run: Run): string | null {
    try {
      return readRunRecord(run.dir)?.status ?? null;
    } catch {
      return null;
    }
  }

  describe(run: Run): Record<string, unknown> {
    let rec = null;
    try {
      rec = readRunRecord(run.dir);
    } catch {
      // a run directory being built has no record yet
    }
    return { id: run.id, dir: run.dir, state: run.state, exitCode: run.exitCode, status: rec?.status ?? null, epochsDone: rec?.epochsDone ?? null, served: run.served, ...(run.state === 'exited' && run.exitCode !== 0 && run.stderr ? { stderr: run.stderr.slice(-2000) } : {}) };
  }

  private freshId(): string {
    let id: string;
    do id = `run-${Date.now().toString(36)}-${(++this.counter).toString(36)}`;
    while (this.runs.has(id) || existsSync(join(this.root, id)));
    return id;
  }
}

/**
 * Follow a growing events.jsonl: calls `line` for each complete line from the start, polling every
 * `everyMs`, until `done()` says the writer has exited and the file is read to its end; returns a
 * function that stops following.
 */
export function followLines(path: string, line: (text: string) => void, done: () => boolean, finished: () => void, everyMs = 100): () => void {
  let offset = 0;
  let rest = '';
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    const exitedBefore = done();
    if (existsSync(path)) {
      const size = statSync(path).size;
      if (size > offset) {
        const fd = openSync(path, 'r');
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        closeSync(fd);
        offset = size;
        const parts = (rest + buf.toString('utf8')).split('\n');
        rest = parts.pop() ?? '';
        for (const p of parts) if (p.trim()) line(p);
      }
    }
    if (exitedBefore) {
      stopped = true;
      finished();
      return;
    }
    setTimeout(tick, everyMs);
  };
  tick();
  return () => {
    stopped = true;
  };
}
