/**
 * Sharded batch jobs on BullMQ: one job per data shard on the queue 'aekit' (jobs named 'shard').
 * A worker runs the shard and stores its output in Redis together with its record in one Lua call
 * (HSETNX on the batch's 'done' hash, then SET of the bytes), so when stalled-job recovery re-runs
 * a killed worker's shard, only the first finished run counts. The submitter takes each recorded
 * output once, hands it to `onResult` (which writes the file atomically) and deletes it from Redis.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { connect, connectionOptions, QUEUE, type QueueAddress } from './redis.js';

const key = (batch: string, ...parts: (string | number)[]) => ['aekit', 'batch', batch, ...parts].join(':');

/** What a worker needs to run one shard: the command's words and flags, and the shard's path. */
export interface ShardJob {
  batch: string; index: number; shard: string;
  /** The command's words and positional argument (['encode', MODEL_DIR]), its flags as --name=value, its output format. */
  command: string[]; args: string[]; ext: 'npy' | 'csv';
}
/** What a shard run gives back: the output file's bytes and the command's own JSON summary. */
export interface ShardOutput { bytes: Uint8Array; summary: Record<string, unknown> }
/** A shard's record in the manifest. */
export interface ShardRecord { index: number; shard: string; bytes: number; sha256: string; summary: Record<string, unknown>; worker: string; seconds: number }
export type ShardRunner = (job: ShardJob) => Promise<ShardOutput>;

/** A shard's failure that another attempt cannot fix (bad flags or bad data): BullMQ does not retry it. */
export class ShardInputError extends UnrecoverableError {}

// KEYS: done hash, output key; ARGV: index, record, bytes. The output is stored only with the first record.
const RECORD_ONCE = "if redis.call('hsetnx', KEYS[1], ARGV[1], ARGV[2]) == 1 then redis.call('set', KEYS[2], ARGV[3]) return 1 end return 0";

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The worker's side: run a 'shard' job unless a run of it has already been recorded. */
export async function runShardJob(redis: Redis, job: Job<ShardJob>, run: ShardRunner, onLine?: (l: string) => void, signal?: AbortSignal): Promise<void> {
  const { batch, index, shard } = job.data;
  if (await redis.hexists(key(batch, 'done'), String(index))) return;
  onLine?.(`shard ${batch}/${index} ${shard} started`);
  const t0 = Date.now();
  const out = await run(job.data);
  if (signal?.aborted) throw new Error('the worker was stopped; the shard runs again');
  const rec: ShardRecord = { index, shard, bytes: out.bytes.byteLength, sha256: sha256(out.bytes), summary: out.summary, worker: `${hostname()}:${process.pid}`, seconds: (Date.now() - t0) / 1000 };
  const first = await redis.eval(RECORD_ONCE, 2, key(batch, 'done'), key(batch, 'out', index), String(index), JSON.stringify(rec), Buffer.from(out.bytes.buffer, out.bytes.byteOffset, out.bytes.byteLength));
  onLine?.(`shard ${batch}/${index} done in ${rec.seconds.toFixed(1)} s${first === 1 ? '' : ' (already recorded by another worker; not counted again)'}`);
}

export interface SubmitOptions {
  /** Called once per shard with its output; write it (atomically) before returning. */
  onResult: (rec: ShardRecord, bytes: Uint8Array) => void;
  onFailed: (index: number, reason: string) => void;
  signal?: AbortSignal;
}

/** Enqueue one job per shard and gather every output exactly once; resolves when each shard has finished or failed. */
export async function submitShardJobs(a: QueueAddress, what: Pick<ShardJob, 'command' | 'args' | 'ext'>, shards: readonly string[], o: SubmitOptions, redis?: Redis): Promise<void> {
  const conn = redis ?? (await connect(a));
  const batch = randomBytes(6).toString('hex');
  const queue = new Queue<ShardJob>(QUEUE, { connection: connectionOptions(a) });
  const settled = new Set<number>();
  try {
    await queue.addBulk(shards.map((shard, index) => ({
      name: 'shard', data: { batch, index, shard, ...what },
      opts: { jobId: `batch-${batch}-${index}`, attempts: 3, backoff: { type: 'fixed', delay: 500 }, removeOnComplete: true, removeOnFail: 1000 },
    })));
    for (let poll = 0; settled.size < shards.length && !o.signal?.aborted; poll++) {
      await new Promise((r) => setTimeout(r, 20));
      for (const [i, text] of Object.entries(await conn.hgetall(key(batch, 'done')))) {
        const index = Number(i);
        if (settled.has(index)) continue;
        const rec = JSON.parse(text) as ShardRecord;
        const bytes = await conn.getBuffer(key(batch, 'out', index));
        if (bytes === null || bytes.byteLength !== rec.bytes || sha256(bytes) !== rec.sha256) throw new Error(`shard ${index} (${rec.shard}): its output in Redis does not match its record`);
        o.onResult(rec, bytes);
        settled.add(index);
        await conn.del(key(batch, 'out', index));
      }
      if (poll % 25) continue; // failed jobs are rare: look twice a second
      for (const job of await queue.getFailed(0, 1000)) {
        if (job.data.batch !== batch || settled.has(job.data.index) || (await conn.hexists(key(batch, 'done'), String(job.data.index)))) continue;
        settled.add(job.data.index);
        o.onFailed(job.data.index, job.failedReason);
      }
    }
  } finally {
    if (o.signal?.aborted) await Promise.all(shards.map((_, i) => queue.remove(`batch-${batch}-${i}`).catch(() => 0)));
    else await conn.del(key(batch, 'done'));
    await queue.close();
    if (!redis) conn.disconnect();
  }
}
