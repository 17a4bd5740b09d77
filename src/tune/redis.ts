/** The Redis side of the queue: the address of --queue, a checked connection, BullMQ's connection settings. */
import { Redis } from 'ioredis';
import { UsageError } from '../util/errors.js';

/** The one BullMQ queue of aekit: trial jobs ('trial') and batch jobs ('shard'). */
export const QUEUE = 'aekit';

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
export const connectionOptions = (a: QueueAddress) => ({ host: a.host, port: a.port, db: a.db, maxRetriesPerRequest: null });
