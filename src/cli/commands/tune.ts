/** aekit tune: a hyperparameter study; the flags of aekit train fix the rest of the config. */
import { availableParallelism } from 'node:os';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { readFileBytes } from '../../data/file.js';
import { ensureDir } from '../../util/atomic.js';
import { integer, number, oneOf } from '../../util/schema.js';
import { PRUNERS, type PrunerName } from '../../tune/pruner.js';
import { writeResults } from '../../tune/results.js';
import { SAMPLERS, type SamplerName } from '../../tune/sampler.js';
import { parseSpaceText, validateSpace } from '../../tune/space.js';
import { StudyStore, type TrialRecord } from '../../tune/store.js';
import { runQueueStudy, type QueueLatency } from '../../tune/queue.js';
import { connect, parseQueueUrl } from '../../tune/redis.js';
import { lossOf, runStudy, type StudySettings } from '../../tune/study.js';
import { formatHelp, parseArgs, type FlagSpec } from '../args.js';
import { printJson, type Io } from '../common.js';
import { classify, EXIT, InputError, UsageError } from '../errors.js';
import { nullable, opt, string, boolean } from '../flags.js';
import { resolveConfig, trainHelp } from './train.js';

const G = 'Study';
const FLAGS: FlagSpec[] = [
  opt('space', nullable(string('search space, JSON or YAML: {"optimizer.lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true}, …}', '')), G),
  opt('out', nullable(string('study directory (study.db, trials/, results)', '')), G),
  opt('resume', nullable(string('continue the study in this directory; finished trials are kept, interrupted ones run again (a queued study on its queue)', '')), G),
  opt('trials', integer('number of trials (a grid stops at its size)', 20, { min: 1 }), G),
  opt('timeout', number('wall-time budget in seconds; no trial starts after it (0: none)', 0, { min: 0 }), G),
  opt('sampler', oneOf('how parameters are chosen', SAMPLERS, 'tpe'), G),
  opt('pruner', oneOf('early stopping of poor trials from per-epoch values', PRUNERS, 'median'), G),
  opt('metric', string("objective: val.loss, train.loss, val.<term>, train.<term> (last epoch) or test.<metric> (mse, bce, loss…)", 'val.loss'), G),
  opt('direction', oneOf('minimize or maximize the metric', ['minimize', 'maximize'] as const, 'minimize'), G),
  opt('parallel', integer('trials at once, each in its own process (0: one per core)', 0, { min: 0, max: 256 }), G),
  opt('queue', nullable(string('run the trials on BullMQ workers (aekit worker) through Redis at redis://HOST:PORT', '')), G),
  opt('study-seed', integer('seed of the sampler', 1, { min: 0 }), G),
  opt('json', boolean('print the summary as JSON on stdout', false), G),
  opt('quiet', boolean('no live table', false), G),
];
const NAMES = new Set(FLAGS.map((f) => f.name));

/** Split argv into the study's own flags and the train flags. */
function splitArgv(argv: readonly string[]): [string[], string[]] {
  const own: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.slice(2).split('=')[0]!.replace(/^no-/, '') : '';
    if (!NAMES.has(name)) { rest.push(a); continue; }
    own.push(a);
    const boolFlag = FLAGS.find((f) => f.name === name)!.field.typeName === 'boolean';
    if (!a.includes('=') && !boolFlag && i + 1 < argv.length) own.push(argv[++i]!);
  }
  return [own, rest];
}

export function tuneHelp(): string {
  return formatHelp('aekit tune --space SPACE --out STUDY [--trials N] [train flags]', 'Search hyperparameters: each trial trains with the train flags below plus its own parameters.', FLAGS, [
    'Parallel trials: each runs in its own process with its own native thread pool; unless --threads is given,',
    'each gets floor(cores / parallel) threads (at least 1), so the trials together use every core once.',
    '',
    'Space file: parameters by config path (model.hidden[1] for a list element) or a helper name without a dot;',
    '  {"type": "float"|"int", "low", "high", "log"?, "step"?, "grid"?} or {"type": "choice", "values": [...]},',
    '  "when": {"depth": {"min": 2}} makes a parameter exist only when an earlier one allows it.',
    '',
    'Outputs in STUDY: study.db, trials/trial-NNNN/ (runs), trials.csv, trials.json, best-config.json',
    '(aekit train --config STUDY/best-config.json), history.png, parallel-coordinates.png, importances.png.',
    '',
    'Examples:',
    '  aekit tune --space space.json --trials 30 --out studies/s1 --epochs 2 --limit 5000',
    '  aekit tune --resume studies/s1',
    '  aekit tune --space space.json --out studies/q1 --queue redis://10.0.0.5:6379 --epochs 2   # workers: aekit worker --queue …',
    '  aekit tune --resume studies/q1   # a queued study continues on its queue; trials finished meanwhile are collected',
    '',
    'Train flags (fix the rest of each trial\'s config):',
    trainHelp().split('\n').slice(3).join('\n'),
  ]);
}

function readSpace(path: string) {
  const text = new TextDecoder().decode(classify(InputError, () => readFileBytes(path)));
  return parseSpaceText(text, path);
}

export async function tuneCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(tuneHelp());
    return EXIT.ok;
  }
  const [ownArgv, trainArgv] = splitArgv(argv);
  const { positionals, values } = parseArgs(ownArgv, FLAGS, 'tune');
  if (positionals.length) throw new UsageError(`aekit tune takes no positional arguments (got ${positionals[0]})`);
  const get = <T>(k: string, d: T): T => (values.has(`opt.${k}`) ? (values.get(`opt.${k}`) as T) : d);
  const resume = get<string | null>('resume', null);
  const parallel = get('parallel', 0) || availableParallelism();
  const threads = trainArgv.some((a) => a === '--threads' || a.startsWith('--threads=')) ? 0 : Math.max(1, Math.floor(availableParallelism() / parallel));
  let dir: string;
  let settings: StudySettings;
  let store: StudyStore;
  let queueUrl = get<string | null>('queue', null);
  let redis: Redis | null = null;
  if (resume) {
    for (const k of ['space', 'out', 'sampler', 'pruner', 'metric', 'direction', 'study-seed']) if (values.has(`opt.${k}`)) throw new UsageError(`--${k} cannot be used with --resume: a study continues with its own settings`);
    if (trainArgv.length) throw new UsageError(`train flags cannot be used with --resume (got ${trainArgv[0]})`);
    if (!existsSync(join(resume, 'study.db'))) throw new UsageError(`--resume ${resume}: not a study directory (no study.db)`);
    dir = resume;
    store = new StudyStore(join(dir, 'study.db'));
    settings = store.getMeta<StudySettings>('settings')!;
    queueUrl ??= store.getMeta<string>('queue');
    if (queueUrl) redis = await connectOrClose(queueUrl, store);
    if (values.has('opt.trials')) settings.trials = get('trials', settings.trials);
    if (values.has('opt.timeout')) settings.timeout = get('timeout', settings.timeout);
  } else {
    const spacePath = get<string | null>('space', null);
    const out = get<string | null>('out', null);
    if (!spacePath) throw new UsageError('--space is required (a JSON or YAML search space; see aekit tune --help)');
    if (!out) throw new UsageError('--out is required (the study directory)');
    const space = readSpace(spacePath);
    const { config } = resolveConfig(trainArgv);
    const base = config as unknown as Record<string, unknown>;
    validateSpace(space, base);
    const metric = get('metric', 'val.loss');
    if (!/^(val|train|test)\.[A-Za-z0-9_]+$/.test(metric)) throw new UsageError(`--metric ${metric}: expected val.loss, train.loss, val.<term>, train.<term> or test.<metric>`);
    if (metric.startsWith('val.') && config.data.valFraction === 0) throw new UsageError(`--metric ${metric} needs a validation split (data.valFraction > 0)`);
    if (existsSync(out) && readdirSync(out).length) throw new UsageError(`--out ${out} is not empty; use --resume ${out} to continue a study there`);
    if (queueUrl) redis = await connect(parseQueueUrl(queueUrl)); // before the study directory exists
    settings = {
      space, base, sampler: get<SamplerName>('sampler', 'tpe'), pruner: get<PrunerName>('pruner', 'median'),
      objective: { metric, direction: get('direction', 'minimize') }, trials: get('trials', 20), timeout: get('timeout', 0), seed: get('study-seed', 1),
    };
    dir = out;
    try {
      ensureDir(dir);
      store = new StudyStore(join(dir, 'study.db'));
    } catch (err) {
      redis?.disconnect();
      throw err;
    }
    store.setMeta('settings', settings);
  }
  if (queueUrl) store.setMeta('queue', queueUrl);
  const quiet = get('quiet', false) || get('json', false);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let best: TrialRecord | null = null;
  const t0 = Date.now();
  if (!quiet && queueUrl) io.err.write(`aekit tune: ${settings.trials} trials on the queue at ${queueUrl}; start workers with aekit worker --queue ${queueUrl}\n`);
  else if (!quiet) io.err.write(`aekit tune: ${settings.trials} trials, sampler ${settings.sampler}, pruner ${settings.pruner}, ${parallel} at once${threads ? ` with ${threads} thread(s) each` : ''}; study in ${dir}\n`);
  try {
    const onTrialEnd = (t: TrialRecord): void => {
      if (t.state === 'complete' && t.value !== null && (best === null || lossOf(settings.objective, t.value) < lossOf(settings.objective, best.value!))) best = t;
      if (!quiet) io.err.write(tableRow(t, best, settings));
    };
    let latency: QueueLatency[] = [];
    let trials: TrialRecord[];
    if (queueUrl && redis) {
      const r = await runQueueStudy(parseQueueUrl(queueUrl), settings, { parallel: get('parallel', 0) || settings.trials, signal: stop.signal, onTrialEnd, store, redis });
      trials = r.trials;
      latency = r.latency;
    } else trials = await runStudy(dir, store, settings, { parallel, threads, signal: stop.signal, onTrialEnd });
    const { best: b, files } = writeResults(dir, settings, trials);
    const counts = Object.fromEntries(['complete', 'pruned', 'failed', 'running'].map((s) => [s, trials.filter((t) => t.state === s).length]));
    const seconds = (Date.now() - t0) / 1000;
    if (get('json', false)) printJson(io, { dir, counts, best: b, seconds, files, ...(queueUrl ? { queueLatency: latency } : {}) });
    else io.out.write(`study ${dir}: ${counts.complete} complete, ${counts.pruned} pruned, ${counts.failed} failed in ${seconds.toFixed(1)} s\n${b ? `best: trial ${b.number} ${settings.objective.metric} ${b.value!.toPrecision(5)} ${JSON.stringify(b.params)}\n` : 'no trial completed\n'}files: ${files.join(' ')}\n`);
    if (stop.signal.aborted) {
      io.err.write(`aekit tune: interrupted; aekit tune --resume ${dir} continues the study${queueUrl ? ' (trials already queued keep running on the workers and are collected then)' : ''}\n`);
      return 130;
    }
    return counts.complete ? EXIT.ok : EXIT.input;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
    redis?.disconnect();
  }
}

/** Connect to a resumed study's queue, closing the study file if Redis cannot be reached. */
async function connectOrClose(url: string, store: StudyStore): Promise<Redis> {
  try {
    return await connect(parseQueueUrl(url));
  } catch (err) {
    store.close();
    throw err;
  }
}

function tableRow(t: TrialRecord, best: TrialRecord | null, s: StudySettings): string {
  const v = t.value === null ? '-' : t.value.toPrecision(5);
  const params = Object.entries(t.params).map(([k, x]) => `${k}=${typeof x === 'number' && !Number.isInteger(x) ? x.toPrecision(3) : x}`).join(' ');
  return `trial ${String(t.number).padStart(4)}  ${t.state.padEnd(8)} ${s.objective.metric} ${v.padStart(10)}  best ${best ? `${best.value!.toPrecision(5)} (#${best.number})` : '-'}  ${t.seconds.toFixed(1)} s  ${params}${t.error ? `  error: ${t.error}` : ''}\n`;
}
