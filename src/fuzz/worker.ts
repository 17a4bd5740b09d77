/**
 * One target's fuzzing, in a worker thread so that the main thread can stop a case that never
 * returns. It marks each case's start in shared memory for that watchdog.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { inputs } from './mutate.js';
import { runCase, type CaseBounds } from './property.js';
import type { FuzzTarget } from './target.js';

/** What the main thread sends; `runs` or `ms` bounds the run, `path` replays one fast-check case, `replay` one file. */
export interface WorkerJob {
  target: string;
  targetsModule: string;
  dir: string;
  seed: number;
  runs: number | null;
  ms: number | null;
  path: string | null;
  replay: string | null;
  bounds: CaseBounds;
  /** Int32 [cases done, case running, cases read without error], then Float64 [START]: the running case's start (epoch ms). */
  shared: SharedArrayBuffer;
}

/** What the worker answers when it is done. */
export interface WorkerResult {
  cases: number;
  /** Cases the reader returned a result for (the rest it refused with an error). */
  read: number;
  failure: { problem: string; path: string | null; bytes: Uint8Array } | null;
}

/** Index into the Float64 view of `shared`: case start time. */
export const START = 2;

export async function loadTarget(module: string, name: string): Promise<FuzzTarget> {
  const { TARGETS } = (await import(module)) as { TARGETS: readonly FuzzTarget[] };
  const target = TARGETS.find((t) => t.name === name);
  if (target === undefined) throw new Error(`no fuzz target '${name}' (targets: ${TARGETS.map((t) => t.name).join(', ')})`);
  return target;
}

function fuzz(job: WorkerJob, target: FuzzTarget): WorkerResult {
  const counters = new Int32Array(job.shared, 0, 3);
  const start = new Float64Array(job.shared);
  const file = join(job.dir, `case${target.ext}`);
  const oneCase = (bytes: Uint8Array): string | null => {
    start[START] = performance.timeOrigin + performance.now();
    Atomics.store(counters, 1, 1);
    const { problem, read } = runCase(target, bytes, file, job.bounds);
    Atomics.store(counters, 1, 0);
    Atomics.add(counters, 0, 1);
    if (read) Atomics.add(counters, 2, 1);
    return problem;
  };
  if (job.replay !== null) {
    const bytes = new Uint8Array(readFileSync(job.replay));
    const problem = oneCase(bytes);
    return { cases: 1, read: Atomics.load(counters, 2), failure: problem === null ? null : { problem, path: null, bytes } };
  }
  const property = fc.property(inputs(target.seeds(), target.tokens, target.repair), (bytes) => {
    const problem = oneCase(bytes);
    if (problem !== null) throw new Error(problem);
  });
  const details = fc.check<[Uint8Array]>(property, {
    seed: job.seed,
    numRuns: job.runs ?? 2 ** 31 - 1,
    ...(job.ms === null ? {} : { plugins: [fc.interruptAfterTimeLimit(job.ms)] }),
    ...(job.path === null ? {} : { path: job.path }),
  });
  const cases = Atomics.load(counters, 0);
  const read = Atomics.load(counters, 2);
  if (!details.failed || details.counterexample === null) return { cases, read, failure: null };
  const problem = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return { cases, read, failure: { problem, path: details.counterexamplePath, bytes: details.counterexample[0] } };
}

if (parentPort !== null && workerData !== null) {
  const job = workerData as WorkerJob;
  const target = await loadTarget(job.targetsModule, job.target);
  parentPort.postMessage(fuzz(job, target));
}
