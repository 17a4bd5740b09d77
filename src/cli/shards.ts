/**
 * Sharded batch jobs: `aekit encode | reconstruct | anomaly score` with --shards run the command once
 * per data shard, here one after another or, with --queue, as BullMQ jobs on `aekit worker`s. Every
 * shard runs the ordinary command in a child process (so its output is the local command's, byte for
 * byte, and a worker's event loop stays free to renew its job lock); the submitter writes each output
 * atomically as OUT/<shard name>.<npy|csv> and then OUT/manifest.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { sha256, ShardInputError, submitShardJobs, type ShardJob, type ShardOutput, type ShardRecord, type SubmitOptions } from '../tune/batch-queue.js';
import { connect, parseQueueUrl } from '../tune/redis.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { quoted } from '../util/text.js';
import { printJson, type Io } from './common.js';
import { EXIT, InputError, UsageError } from './errors.js';
import { nullable, opt, string } from './flags.js';
import { taskProgress } from './progress.js';

export const SHARD_FLAGS = [
  opt('shards', nullable(string('data shards instead of --data: a glob (parts/*.csv) or a comma-separated list; one output per shard in --out DIR, plus DIR/manifest.json', '')), 'Shards'),
  opt('queue', nullable(string('with --shards: run the shards as jobs on aekit workers through Redis at redis://HOST:PORT (default: here, one after another)', '')), 'Shards'),
];

/** --help lines of a command that takes --shards. */
export const SHARD_NOTES = (command: string, ext: string): string[] => [
  `Shards: with --shards, aekit ${command} runs once per shard and writes DIR/<shard name>.${ext} (atomically) and`,
  '  DIR/manifest.json (each shard, its output, rows, bytes, SHA-256, worker and seconds); with --queue the shards',
  '  are BullMQ jobs that any number of `aekit worker --queue …` run (a killed worker\'s shard runs again elsewhere;',
  '  every output is written once). Workers read the model and the shards at the same paths.',
  'Examples:',
  `  aekit ${command} ${command === 'anomaly score' ? 'detector' : 'run'} --shards 'parts/*.csv' --out out/ --queue redis://10.0.0.5:6379`,
];

/** Flags that cannot be used with --shards. */
const NOT_WITH_SHARDS: Record<string, string> = {
  data: '--shards replaces --data: give the shards to read with --shards only',
  png: '--png draws one picture; it cannot be used with --shards',
};
/** Flags the submitter sets itself for each shard, or that make no sense per shard. */
const NOT_PASSED = new Set(['shards', 'queue', 'out', 'data', 'json', 'quiet', 'help']);
const CLI = fileURLToPath(new URL('./main.js', import.meta.url));

/** The shards `spec` names: comma-separated paths or globs, each glob sorted, as absolute paths. */
export function expandShards(spec: string): string[] {
  const out: string[] = [];
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (existsSync(item) || !isDynamicPattern(item)) {
      if (!existsSync(item)) throw new InputError(`--shards: ${item} does not exist`);
      out.push(resolve(item));
      continue;
    }
    const found = globSync(item, { absolute: true, onlyFiles: true, expandDirectories: false }).sort();
    if (!found.length) throw new InputError(`--shards: ${quoted(item, 80)} matches no files`);
    out.push(...found);
  }
  if (!out.length) throw new UsageError('--shards names no shards');
  return out;
}

/** Output file names, one per shard (its name without extension), refusing two shards with the same name. */
function outputNames(shards: readonly string[], ext: string): string[] {
  const seen = new Map<string, string>();
  return shards.map((s) => {
    const name = `${basename(s, extname(s))}.${ext}`;
    const other = seen.get(name);
    if (other !== undefined) throw new UsageError(`--shards: ${other} and ${s} would both write ${name}; give shards distinct names`);
    seen.set(name, s);
    return name;
  });
}

export interface ShardedRun {
  /** The command's words and its positional argument, e.g. ['encode', MODEL_DIR]. */
  command: string[];
  /** The flags as given (ParsedArgs.texts). */
  texts: ReadonlyMap<string, string>;
  /** The output format of one shard. */
  ext: 'npy' | 'csv';
}

/** Run a command over --shards (here, or on the queue) and gather the outputs into --out DIR. */
export async function runSharded(r: ShardedRun, io: Io): Promise<number> {
  const t = r.texts;
  for (const [flag, why] of Object.entries(NOT_WITH_SHARDS)) if (t.has(flag)) throw new UsageError(why);
  const out = t.get('out');
  if (!out) throw new UsageError('--out DIR is required with --shards (one output per shard is written there)');
  if (existsSync(out) && (!statSync(out).isDirectory() || (readdirSync(out).length && !existsSync(join(out, 'manifest.json'))))) {
    throw new UsageError(`--out ${out}: with --shards it must be a new or empty folder (or one a sharded run wrote, with its manifest.json)`);
  }
  const shards = expandShards(t.get('shards')!);
  const names = outputNames(shards, r.ext);
  const args = [...t].filter(([k]) => !NOT_PASSED.has(k)).map(([k, v]) => `--${k}=${v}`);
  const quiet = t.get('quiet') === 'true' || t.get('json') === 'true';
  const url = t.get('queue') ?? null;
  const redis = url ? await connect(parseQueueUrl(url)) : null; // before anything is written
  const progress = quiet ? null : taskProgress({ stream: io.err, tty: io.err.isTTY === true });
  const done: (ShardRecord & { output: string })[] = [];
  const failed: { index: number; shard: string; error: string }[] = [];
  const t0 = Date.now();
  const onResult = (rec: ShardRecord, bytes: Uint8Array): void => {
    writeFileAtomic(join(out, names[rec.index]!), bytes);
    done.push({ ...rec, output: names[rec.index]! });
    progress?.({ stage: 'shards', done: done.length + failed.length, total: shards.length });
  };
  const onFailed = (index: number, error: string): void => {
    failed.push({ index, shard: shards[index]!, error });
    if (!quiet) io.err.write(`aekit ${r.command[0]}: shard ${shards[index]} failed: ${error}\n`);
  };
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (!quiet) io.err.write(`aekit ${r.command[0]}: ${shards.length} shards ${url ? `on the queue at ${url}; workers: aekit worker --queue ${url}` : 'here, one after another'}\n`);
    if (redis) await submitShardJobs(parseQueueUrl(url!), { command: r.command, args, ext: r.ext }, shards, { onResult, onFailed, signal: stop.signal }, redis);
    else await runHere({ command: r.command, args, ext: r.ext }, shards, { onResult, onFailed, signal: stop.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    redis?.disconnect();
  }
  done.sort((a, b) => a.index - b.index);
  const manifest = {
    command: r.command, args, queue: url, outputs: done.length, failed, seconds: (Date.now() - t0) / 1000,
    shards: done.map(({ index, shard, output, bytes, sha256: sum, seconds, worker, summary }) => ({ index, shard, output, bytes, sha256: sum, seconds, worker, ...summary })),
  };
  writeJsonAtomic(join(out, 'manifest.json'), manifest);
  if (t.get('json') === 'true') printJson(io, { out, ...manifest });
  else if (!quiet) io.out.write(`wrote ${done.length} of ${shards.length} shard outputs to ${out} (manifest.json) in ${manifest.seconds.toFixed(1)} s\n`);
  if (stop.signal.aborted) {
    io.err.write(`aekit ${r.command[0]}: interrupted after ${done.length} of ${shards.length} shards\n`);
    return EXIT.interrupted;
  }
  if (failed.length) throw new InputError(`${failed.length} of ${shards.length} shards failed (listed in ${join(out, 'manifest.json')}); first: ${failed[0]!.shard}: ${failed[0]!.error}`);
  return EXIT.ok;
}

/** Run the shards here, one after another, as a worker would. */
async function runHere(what: Pick<ShardJob, 'command' | 'args' | 'ext'>, shards: readonly string[], o: SubmitOptions & { signal: AbortSignal }): Promise<void> {
  for (let index = 0; index < shards.length && !o.signal.aborted; index++) {
    const t0 = Date.now();
    try {
      const out = await runShardInChild({ batch: 'local', index, shard: shards[index]!, ...what }, 0, o.signal);
      o.onResult({ index, shard: shards[index]!, bytes: out.bytes.byteLength, sha256: sha256(out.bytes), summary: out.summary, worker: 'local', seconds: (Date.now() - t0) / 1000 }, out.bytes);
    } catch (err) {
      if (o.signal.aborted) return;
      if (!(err instanceof ShardFailure || err instanceof ShardInputError)) throw err;
      o.onFailed(index, err.message);
    }
  }
}

/** A shard run that failed for a reason another attempt might not share (a crash, a kill): retried on the queue. */
class ShardFailure extends Error {}

/**
 * Run one shard: the ordinary command in a child process writing into a temporary folder, whose
 * output and JSON summary come back. Bad flags or data (exit 2 or 3) are not retried.
 */
export async function runShardInChild(job: ShardJob, threads: number, signal?: AbortSignal): Promise<ShardOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'aekit-shard-'));
  const file = join(dir, `out.${job.ext}`);
  const extra = threads > 0 && !job.args.some((a) => a.startsWith('--threads=')) ? [`--threads=${threads}`] : [];
  try {
    const child = spawn(process.execPath, [CLI, ...job.command, ...job.args, ...extra, '--data', job.shard, '--out', file, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const kill = (): void => { child.kill('SIGKILL'); };
    signal?.addEventListener('abort', kill, { once: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
    const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => child.once('close', (c, s) => res([c, s])));
    signal?.removeEventListener('abort', kill);
    const why = stderr.trim().split('\n').slice(-3).join(' | ') || `${sig ?? `exit ${code}`}`;
    if (code === EXIT.usage || code === EXIT.input) throw new ShardInputError(why);
    if (code !== 0) throw new ShardFailure(`${job.command[0]} ended (${sig ?? `exit ${code}`}): ${why}`);
    const { out: _tmp, ...summary } = JSON.parse(stdout) as Record<string, unknown>;
    return { bytes: readFileSync(file), summary };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
