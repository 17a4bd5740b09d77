/**
 * Distributed studies on BullMQ (Redis). The coordinator (aekit tune --queue) samples parameters
 * and enqueues one job per trial on the queue 'aekit'; workers (aekit worker) run them as child
 * processes. Study state lives in Redis under aekit:study:<id>: settings, each trial's parameters,
 * per-epoch values for the pruners, and finished trials in a hash written with HSETNX, so a trial
 * re-run after a worker died (BullMQ's stalled-job recovery) is counted once, by whoever ends first.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { UsageError } from '../util/errors.js';
import { shouldPrune } from './pruner.js';
import { makeSampler } from './sampler.js';
import type { Params } from './space.js';
import type { TrialRecord } from './store.js';
import { lossOf, observations, trialConfig, type StudyEvents, type StudySettings } from './study.js';
import { runTrialProcess } from './trial-process.js';

export const QUEUE = 'aekit';
const key = (study: string, ...parts: (string | number)[]) => ['aekit', 'study', study, ...parts].join(':');

export interface QueueAddress { host: string; port: number; db: number; text: string }

export function parseQueueUrl(url: string): QueueAddress {
  const m = /^redis:\/\/([^:/]+|\[[0-9a-fA-F:]+\])(?::(\d+))?(?:\/(\d+))?\/?$/.exec(url);
  if (!m) throw new UsageError(`--queue ${url}: expected redis://HOST:PORT (or redis://HOST:PORT/DB)`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const port = m[2] ? Number(m[2]) : 6379;
  if (port < 1 || port > 65535) throw new UsageError(`--queue ${url}: port must be 1..65535`);
  return { host, port, db: m[3] ? Number(m[3]) : 0, text: `${host}:${port}` };
}

/** A connection that has answered PING, or a UsageError naming the address after `timeoutMs`. */
export async function connect(a: QueueAddress, timeoutMs = 5000): Promise<Redis> {
  const redis = new Redis({ host: a.host, port: a.port, db: a.db, lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: null, retryStrategy: () => null });
  let last = 'no answer';
  redis.on('error', (err: Error) => { last = err.message; });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no answer')), timeoutMs); }),
    ]);
  } catch {
    redis.disconnect();
    throw new UsageError(`cannot reach Redis at ${a.text} within ${(timeoutMs / 1000).toFixed(0)} s (${last}); is redis-server running there?`);
  } finally {
    clearTimeout(timer);
  }
  // After the first contact, reconnect on drops (a worker outlives a Redis restart).
  redis.options.retryStrategy = (times: number) => Math.min(times * 200, 2000);
  return redis;
}

/** Connection settings for BullMQ's own connections (it closes the ones it creates). */
const options = (a: QueueAddress) => ({ host: a.host, port: a.port, db: a.db, maxRetriesPerRequest: null });

interface TrialJob { study: string; number: number }

export interface QueueStudyResult { trials: TrialRecord[]; study: string; overheadMs: number[] }

/** Run a study through the queue: keep `parallel` trials enqueued or running until the budget is spent. */
export async function runQueueStudy(a: QueueAddress, s: StudySettings, o: { parallel: number; signal?: AbortSignal } & StudyEvents): Promise<QueueStudyResult> {
  const redis = await connect(a);
  const study = randomBytes(6).toString('hex');
  const queue = new Queue<TrialJob>(QUEUE, { connection: options(a) });
  try {
    await redis.set(key(study, 'settings'), JSON.stringify(s));
    const sampler = makeSampler(s.sampler, s.space, s.seed);
    const budget = sampler.size === null ? s.trials : Math.min(s.trials, sampler.size);
    const deadline = s.timeout > 0 ? Date.now() + s.timeout * 1000 : Infinity;
    const enqueued = new Map<number, number>();
    const finished = new Map<number, TrialRecord>();
    const overheadMs: number[] = [];
    let next = 0;
    while (!o.signal?.aborted) {
      while (enqueued.size - finished.size < o.parallel && next < budget && Date.now() < deadline) {
        const params = sampler.suggest(next, observations(s, [...finished.values()]));
        if (params === null) break;
        await redis.hset(key(study, 'params'), String(next), JSON.stringify(params));
        enqueued.set(next, Date.now());
        await queue.add('trial', { study, number: next }, { jobId: `${study}-${next}`, attempts: 3, removeOnComplete: true, removeOnFail: 100 });
        o.onTrialStart?.(next, params);
        next++;
      }
      if (enqueued.size === finished.size) break;
      await new Promise((r) => setTimeout(r, 20));
      const all = await redis.hgetall(key(study, 'trials'));
      for (const [n, text] of Object.entries(all)) {
        if (finished.has(Number(n))) continue;
        const t = JSON.parse(text) as TrialRecord & { runMs: number };
        finished.set(t.number, t);
        overheadMs.push(Date.now() - enqueued.get(t.number)! - t.runMs);
        o.onTrialEnd?.(t);
      }
      await failedJobs(redis, queue, study, finished, o);
    }
    return { trials: [...finished.values()].sort((x, y) => x.number - y.number), study, overheadMs };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** Jobs that failed every attempt (a worker error, not a trial's own failure) end as failed trials. */
async function failedJobs(redis: Redis, queue: Queue<TrialJob>, study: string, finished: Map<number, TrialRecord>, o: StudyEvents): Promise<void> {
  for (const job of await queue.getFailed(0, 100)) {
    if (job.data.study !== study || finished.has(job.data.number)) continue;
    const t: TrialRecord = { number: job.data.number, params: JSON.parse((await redis.hget(key(study, 'params'), String(job.data.number))) ?? '{}') as Params, state: 'failed', value: null, metrics: {}, epochs: 0, seconds: 0, error: job.failedReason };
    finished.set(t.number, t);
    o.onTrialEnd?.(t);
  }
}

export interface WorkerOptions { workDir: string; threads: number; concurrency: number; lockMs: number; onLine?: (line: string) => void }

/** Run trial jobs until `signal` aborts; resolves when the worker has closed. */
export async function runWorker(a: QueueAddress, o: WorkerOptions, signal: AbortSignal): Promise<void> {
  const redis = await connect(a);
  const settings = new Map<string, StudySettings>();
  const worker = new Worker<TrialJob>(QUEUE, async (job: Job<TrialJob>) => runJob(redis, settings, job, o), {
    connection: options(a), concurrency: o.concurrency, lockDuration: o.lockMs, stalledInterval: Math.max(1000, o.lockMs / 2), maxStalledCount: 5,
  });
  worker.on('error', (err) => o.onLine?.(`worker error: ${err.message}`));
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await worker.close();
  redis.disconnect();
}

async function runJob(redis: Redis, cache: Map<string, StudySettings>, job: Job<TrialJob>, o: WorkerOptions): Promise<void> {
  const { study, number } = job.data;
  if (await redis.hexists(key(study, 'trials'), String(number))) return; // already counted
  let s = cache.get(study);
  if (!s) {
    const text = await redis.get(key(study, 'settings'));
    if (text === null) throw new Error(`study ${study} has no settings in Redis`);
    cache.set(study, (s = JSON.parse(text) as StudySettings));
  }
  const params = JSON.parse((await redis.hget(key(study, 'params'), String(number))) ?? 'null') as Params | null;
  if (params === null) throw new Error(`study ${study} has no parameters for trial ${number}`);
  const started = Date.now();
  o.onLine?.(`trial ${study}/${number} started`);
  const st = s;
  const outcome = await runTrialProcess({
    config: trialConfig(st, params, o.threads), outDir: join(o.workDir, study, `trial-${String(number).padStart(4, '0')}`),
    onEpoch: async (epoch, metrics) => {
      const v = metrics[st.objective.metric];
      if (v === undefined || st.pruner === 'none') return false;
      const loss = lossOf(st.objective, v);
      await redis.hset(key(study, 'epoch', epoch), String(number), String(loss));
      const all = await redis.hgetall(key(study, 'epoch', epoch));
      return shouldPrune(st.pruner, number, epoch, loss, new Map(Object.entries(all).map(([t, x]) => [Number(t), Number(x)])));
    },
  });
  const runMs = Date.now() - started;
  const rec = { number, params, state: outcome.status, value: outcome.metrics[st.objective.metric] ?? null, metrics: outcome.metrics, epochs: outcome.epochs, seconds: runMs / 1000, error: outcome.error, runMs };
  const first = await redis.hsetnx(key(study, 'trials'), String(number), JSON.stringify(rec));
  o.onLine?.(`trial ${study}/${number} ${rec.state}${first ? '' : ' (already recorded by another worker; not counted again)'}`);
}
