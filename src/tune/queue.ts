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
import type { Redis } from 'ioredis';
import { runShardJob, type ShardJob, type ShardOutput } from './batch-queue.js';
import { connect, connectionOptions, QUEUE, type QueueAddress } from './redis.js';
import { shouldPrune } from './pruner.js';
import { makeSampler } from './sampler.js';
import type { Params } from './space.js';
import type { StudyStore, TrialRecord } from './store.js';
import { lossOf, observations, trialConfig, type StudyEvents, type StudySettings } from './study.js';
import { runTrialProcess } from './trial-process.js';

const key = (study: string, ...parts: (string | number)[]) => ['aekit', 'study', study, ...parts].join(':');

interface TrialJob { study: string; number: number }

/**
 * What the queue costs each trial collected in this run: `pickupMs` from enqueue to a worker starting
 * it (including any wait for a free worker), `collectMs` from its end on the worker to this
 * coordinator recording it (up to one 20 ms poll). Both use the machines' clocks, so across
 * machines they are only as good as their clock sync.
 */
export interface QueueLatency { trial: number; pickupMs: number; collectMs: number }
export interface QueueStudyResult { trials: TrialRecord[]; study: string; latency: QueueLatency[] }

export interface QueueStudyOptions extends StudyEvents {
  /** Trials enqueued or running at once. */
  parallel: number;
  signal?: AbortSignal;
  /** The study's SQLite file: trials are recorded there as they are enqueued and as they end, so --resume continues. */
  store: StudyStore;
  /** A connection made by `connect` (the caller checks Redis before creating the study directory). */
  redis: Redis;
}

/**
 * Run a study through the queue: keep `parallel` trials enqueued or running until the budget is spent.
 * A resumed study (its Redis id kept in the store) enqueues its unfinished trials again under the
 * same job ids, so a trial still queued is not duplicated and one finished meanwhile is only collected.
 */
export async function runQueueStudy(a: QueueAddress, s: StudySettings, o: QueueStudyOptions): Promise<QueueStudyResult> {
  const { redis, store } = o;
  const study = store.getMeta<string>('queueStudy') ?? randomBytes(6).toString('hex');
  store.setMeta('queueStudy', study);
  const queue = new Queue<TrialJob>(QUEUE, { connection: connectionOptions(a) });
  const enqueue = async (n: number, params: Params): Promise<void> => {
    await redis.hset(key(study, 'params'), String(n), JSON.stringify(params));
    await queue.add('trial', { study, number: n }, { jobId: `${study}-${n}`, attempts: 3, removeOnComplete: true, removeOnFail: 100 });
  };
  try {
    await redis.set(key(study, 'settings'), JSON.stringify(s));
    const sampler = makeSampler(s.sampler, s.space, s.seed);
    const budget = sampler.size === null ? s.trials : Math.min(s.trials, sampler.size);
    const deadline = s.timeout > 0 ? Date.now() + s.timeout * 1000 : Infinity;
    const known = store.trials();
    const finished = new Map(known.filter((t) => t.state !== 'running').map((t) => [t.number, t]));
    const enqueued = new Map<number, number>(known.map((t) => [t.number, NaN]));
    for (const t of known) {
      // A trial finished while no coordinator ran is only collected (below), never enqueued again.
      if (t.state === 'running' && !(await redis.hexists(key(study, 'trials'), String(t.number)))) await enqueue(t.number, t.params);
    }
    const latency: QueueLatency[] = [];
    let next = known.length;
    while (!o.signal?.aborted) {
      while (enqueued.size - finished.size < o.parallel && next < budget && Date.now() < deadline) {
        const params = sampler.suggest(next, observations(s, [...finished.values()]));
        if (params === null) break;
        store.addTrial(next, params);
        enqueued.set(next, Date.now());
        await enqueue(next, params);
        o.onTrialStart?.(next, params);
        next++;
      }
      if (enqueued.size === finished.size) break;
      await new Promise((r) => setTimeout(r, 20));
      for (const [n, text] of Object.entries(await redis.hgetall(key(study, 'trials')))) {
        if (finished.has(Number(n))) continue;
        const { startedAt, endedAt, ...t } = JSON.parse(text) as TrialRecord & { startedAt: number; endedAt: number };
        record(store, finished, t, o);
        const since = enqueued.get(t.number)!;
        if (!Number.isNaN(since)) latency.push({ trial: t.number, pickupMs: startedAt - since, collectMs: Date.now() - endedAt });
      }
      await failedJobs(redis, queue, study, store, finished, o);
    }
    return { trials: store.trials(), study, latency };
  } finally {
    await queue.close();
  }
}

function record(store: StudyStore, finished: Map<number, TrialRecord>, t: TrialRecord, o: StudyEvents): void {
  store.finishTrial(t.number, { ...t, state: t.state === 'running' ? 'failed' : t.state });
  finished.set(t.number, t);
  o.onTrialEnd?.(t);
}

/** Jobs that failed every attempt (a worker error, not a trial's own failure) end as failed trials. */
async function failedJobs(redis: Redis, queue: Queue<TrialJob>, study: string, store: StudyStore, finished: Map<number, TrialRecord>, o: StudyEvents): Promise<void> {
  for (const job of await queue.getFailed(0, 100)) {
    if (job.data.study !== study || finished.has(job.data.number)) continue;
    const t: TrialRecord = { number: job.data.number, params: JSON.parse((await redis.hget(key(study, 'params'), String(job.data.number))) ?? '{}') as Params, state: 'failed', value: null, metrics: {}, epochs: 0, seconds: 0, error: job.failedReason };
    record(store, finished, t, o);
  }
}

export interface WorkerOptions {
  workDir: string; threads: number; concurrency: number; lockMs: number; onLine?: (line: string) => void;
  /** Runs a batch job's shard (the CLI runs the command in a child process) until the signal aborts; without it, shard jobs fail. */
  runShard?: (job: ShardJob, signal: AbortSignal) => Promise<ShardOutput>;
}

/**
 * Run trial and shard jobs until `signal` aborts; resolves when the worker has closed. An abort
 * kills the job under way without recording it, and BullMQ gives it to another worker (a retry, or
 * stalled-job recovery once its lock expires).
 */
export async function runWorker(a: QueueAddress, o: WorkerOptions, signal: AbortSignal): Promise<void> {
  const redis = await connect(a);
  const settings = new Map<string, StudySettings>();
  const worker = new Worker<TrialJob | ShardJob>(QUEUE, async (job: Job<TrialJob | ShardJob>) => {
    if (job.name === 'trial') return runJob(redis, settings, job as Job<TrialJob>, o, signal);
    if (job.name === 'shard' && o.runShard) return runShardJob(redis, job as Job<ShardJob>, (j) => o.runShard!(j, signal), o.onLine, signal);
    throw new Error(`this worker cannot run '${job.name}' jobs`);
  }, {
    connection: connectionOptions(a), concurrency: o.concurrency, lockDuration: o.lockMs, stalledInterval: Math.max(1000, o.lockMs / 2), maxStalledCount: 5,
  });
  worker.on('error', (err) => o.onLine?.(`worker error: ${err.message}`));
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await worker.close(true);
  redis.disconnect();
}

async function runJob(redis: Redis, cache: Map<string, StudySettings>, job: Job<TrialJob>, o: WorkerOptions, signal: AbortSignal): Promise<void> {
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
    config: trialConfig(st, params, o.threads), outDir: join(o.workDir, study, `trial-${String(number).padStart(4, '0')}`), signal,
    onEpoch: async (epoch, metrics) => {
      const v = metrics[st.objective.metric];
      if (v === undefined || st.pruner === 'none') return false;
      const loss = lossOf(st.objective, v);
      await redis.hset(key(study, 'epoch', epoch), String(number), String(loss));
      const all = await redis.hgetall(key(study, 'epoch', epoch));
      return shouldPrune(st.pruner, number, epoch + 1, loss, new Map(Object.entries(all).map(([t, x]) => [Number(t), Number(x)])));
    },
  });
  if (signal.aborted) throw new Error('the worker was stopped; the trial runs again');
  const endedAt = Date.now();
  const rec = { number, params, state: outcome.status, value: outcome.metrics[st.objective.metric] ?? null, metrics: outcome.metrics, epochs: outcome.epochs, seconds: (endedAt - started) / 1000, error: outcome.error, startedAt: started, endedAt };
  const first = await redis.hsetnx(key(study, 'trials'), String(number), JSON.stringify(rec));
  o.onLine?.(`trial ${study}/${number} ${rec.state}${first ? '' : ' (already recorded by another worker; not counted again)'}`);
}
