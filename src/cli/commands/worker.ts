/** aekit worker: run trials from a BullMQ queue on Redis until stopped (SIGINT/SIGTERM or --idle-exit). */
import { integer, number } from '../../util/schema.js';
import { runWorker } from '../../tune/queue.js';
import { parseQueueUrl } from '../../tune/redis.js';
import { runShardInChild } from '../shards.js';
import { formatHelp, parseArgs, type FlagSpec } from '../args.js';
import type { Io } from '../common.js';
import { EXIT, UsageError } from '../errors.js';
import { boolean, nullable, opt, string } from '../flags.js';

const FLAGS: FlagSpec[] = [
  opt('queue', nullable(string('Redis of the queue, redis://HOST:PORT', '')), 'Worker'),
  opt('work-dir', string('where trial runs are written (WORK_DIR/<study>/trial-NNNN)', 'aekit-work'), 'Worker'),
  opt('concurrency', integer('jobs (trials or shards) at once in this worker, each its own process', 1, { min: 1, max: 64 }), 'Worker'),
  opt('threads', integer('native threads per job (0: one per core)', 0, { min: 0, max: 64 }), 'Worker'),
  opt('lock-seconds', number("how long a job's lock lasts without renewal; a killed worker's job is re-run elsewhere after it", 30, { min: 1 }), 'Worker'),
  opt('quiet', boolean('no log lines', false), 'Worker'),
];

export async function workerCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(formatHelp('aekit worker --queue redis://HOST:PORT [flags]', 'Run the jobs of the queue until SIGINT or SIGTERM (the job under way is re-queued): the trials of aekit tune --queue and the shards of aekit encode | reconstruct | anomaly score --shards … --queue.', FLAGS, [
      'Run any number of workers on any machines that reach the Redis; each needs the data the study names.',
      'Example:', '  aekit worker --queue redis://10.0.0.5:6379 --threads 4',
    ]));
    return EXIT.ok;
  }
  const { positionals, values } = parseArgs(argv, FLAGS, 'worker');
  if (positionals.length) throw new UsageError(`aekit worker takes no positional arguments (got ${positionals[0]})`);
  const get = <T>(k: string, d: T): T => (values.has(`opt.${k}`) ? (values.get(`opt.${k}`) as T) : d);
  const url = get<string | null>('queue', null);
  if (!url) throw new UsageError('--queue redis://HOST:PORT is required');
  const quiet = get('quiet', false);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await runWorker(parseQueueUrl(url), {
      workDir: get('work-dir', 'aekit-work'), threads: get('threads', 0), concurrency: get('concurrency', 1), lockMs: get('lock-seconds', 30) * 1000,
      runShard: (job, signal) => runShardInChild(job, get('threads', 0), signal),
      ...(quiet ? {} : { onLine: (l: string) => io.err.write(`aekit worker ${process.pid}: ${l}\n`) }),
    }, stop.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return EXIT.ok;
}
