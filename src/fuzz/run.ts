/**
 * Runs the targets one after another, each in a worker thread watched from here: a case that runs
 * past twice its time bound, or a process that grows past the memory bound, is stopped and reported.
 */
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CaseBounds } from './property.js';
import type { FuzzTarget } from './target.js';
import { loadTarget, START, type WorkerJob, type WorkerResult } from './worker.js';

export interface FuzzOptions {
  /** Target names, in order. */
  targets: readonly string[];
  seed: number;
  /** Cases per target, or null to run each target for `msPerTarget`. */
  runs: number | null;
  msPerTarget: number | null;
  /** Replay one fast-check case (with the same seed), or one saved file. */
  path?: string | null;
  replay?: string | null;
  bounds?: CaseBounds;
  /** Whole-process resident memory that counts as unbounded. */
  maxRssBytes?: number;
  /** Where failing inputs are saved. */
  failureDir?: string;
  /** Module exporting `TARGETS` (the harness's own test passes broken targets). */
  targetsModule?: string;
  onProgress?: (target: string, cases: number, seconds: number) => void;
}

export interface TargetReport {
  target: string;
  cases: number;
  /** Cases the reader returned a result for; the rest it refused with an error. */
  read: number;
  seconds: number;
  /** What went wrong, how to reproduce it, and where the failing input was saved. */
  failure: { problem: string; reproduce: string; saved: string } | null;
}

export const DEFAULT_BOUNDS: CaseBounds = { timeoutMs: 2000, slackBytes: 16 * 2 ** 20 };
const DEFAULT_TARGETS = new URL('./targets/index.js', import.meta.url).href;

/** Fuzz every target in turn; never throws for a failing target, it reports it. */
export async function runFuzz(opts: FuzzOptions): Promise<TargetReport[]> {
  const dir = mkdtempSync(join(scratch(), 'aekit-fuzz-'));
  try {
    const reports: TargetReport[] = [];
    for (const name of opts.targets) reports.push(await runTarget(opts, name, join(dir, name)));
    return reports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Memory-backed /dev/shm where there is one: every case writes a file, and a disk would only slow that down. */
function scratch(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

async function runTarget(opts: FuzzOptions, name: string, dir: string): Promise<TargetReport> {
  mkdirSync(dir);
  const targetsModule = opts.targetsModule ?? DEFAULT_TARGETS;
  const target = await loadTarget(targetsModule, name);
  const shared = new SharedArrayBuffer(32);
  const job: WorkerJob = {
    target: name, targetsModule, dir, seed: opts.seed, runs: opts.runs, ms: opts.msPerTarget,
    path: opts.path ?? null, replay: opts.replay ?? null, bounds: boundsFor(target, opts.bounds ?? DEFAULT_BOUNDS), shared,
  };
  const t0 = performance.now();
  const outcome = await watch(job, opts, t0);
  const seconds = (performance.now() - t0) / 1000;
  const counters = new Int32Array(shared, 0, 3);
  const [cases, read] = [Atomics.load(counters, 0), Atomics.load(counters, 2)];
  if (outcome.failure === null) return { target: name, cases, read, seconds, failure: null };
  const { problem, path, bytes } = outcome.failure;
  const saved = opts.replay ?? saveFailure(opts, name, target.ext, bytes ?? join(dir, `case${target.ext}`));
  const reproduce = path !== null
    ? `npm run fuzz -- --target ${name} --seed ${opts.seed} --path ${path}`
    : `npm run fuzz -- --target ${name} --replay ${saved}`;
  return { target: name, cases, read, seconds, failure: { problem, reproduce, saved } };
}

function boundsFor(target: FuzzTarget, bounds: CaseBounds): CaseBounds {
  return target.timeoutMs === undefined ? bounds : { ...bounds, timeoutMs: Math.max(bounds.timeoutMs, target.timeoutMs) };
}

type Watched = { failure: { problem: string; path: string | null; bytes: Uint8Array | null } | null };

/** Run the job's worker, stopping it when a case hangs or memory runs away. */
function watch(job: WorkerJob, opts: FuzzOptions, t0: number): Promise<Watched> {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
  const counters = new Int32Array(job.shared, 0, 3);
  const start = new Float64Array(job.shared);
  const maxRss = opts.maxRssBytes ?? 2 * 2 ** 30;
  return new Promise((resolve) => {
    let verdict: string | null = null;
    let lastProgress = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      const running = Atomics.load(counters, 1) === 1 ? performance.timeOrigin + now - start[START]! : 0;
      if (running > 2 * job.bounds.timeoutMs) verdict = `hang: a case ran ${running.toFixed(0)} ms and was stopped`;
      else if (process.memoryUsage.rss() > maxRss) verdict = `unbounded memory: the process passed ${maxRss} bytes resident`;
      if (verdict !== null) void worker.terminate();
      else if (opts.onProgress !== undefined && now - lastProgress >= 10_000) {
        lastProgress = now;
        opts.onProgress(job.target, Atomics.load(counters, 0), (now - t0) / 1000);
      }
    }, 100);
    const done = (w: Watched) => {
      clearInterval(timer);
      resolve(w);
    };
    worker.on('message', (r: WorkerResult) => done({ failure: r.failure }));
    worker.on('error', (err) => done({ failure: { problem: `the worker died: ${err.message}`, path: null, bytes: null } }));
    // A worker that reported has already resolved; one that exits silently (a reader calling process.exit) failed.
    worker.on('exit', (code) => done({ failure: { problem: verdict ?? `the worker exited with code ${code} before reporting`, path: null, bytes: null } }));
  });
}

function saveFailure(opts: FuzzOptions, name: string, ext: string, input: Uint8Array | string): string {
  const dir = opts.failureDir ?? 'fuzz-failures';
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-seed${opts.seed}-${Date.now()}${ext}`);
  if (typeof input !== 'string') writeFileSync(file, input);
  else if (existsSync(input)) copyFileSync(input, file);
  else writeFileSync(file, '');
  return file;
}
