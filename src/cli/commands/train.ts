/** aekit train: train an autoencoder (MNIST and a dense AE when given no arguments). */
import { readFileBytes } from '../../data/file.js';
import { jsonProblem, quoted } from '../../util/text.js';
import { join } from 'node:path';
import { getVariant, modelKinds, registerBuiltinModels } from '../../models/index.js';
import { DivergedError } from '../../train/trainer.js';
import { mergeConfig, parseRunConfig, PRESETS, type RunConfig } from '../../train/config.js';
import { readRunConfig, runSession, type SessionResult } from '../../train/session.js';
import { formatHelp, parseArgs, toNested, type FlagSpec } from '../args.js';
import { printJson, useBackend, type Io } from '../common.js';
import { classify, EXIT, InputError, UsageError } from '../errors.js';
import { COMMON_FLAGS, configFlags, nullable, opt, string } from '../flags.js';
import { fmtRate, progressSink } from '../progress.js';

/** The run flags; --model lists the kinds registered (call after registerBuiltinModels). */
function runFlags(): FlagSpec[] {
  return [
    opt('preset', string(`starting configuration: ${Object.keys(PRESETS).join(', ')}`, 'default'), 'Run'),
    opt('config', nullable(string('JSON file with {model, data, optimizer, train} sections; flags override it', '')), 'Run'),
    opt('out', nullable(string('run directory (default: runs/<date>-<time>)', '')), 'Run'),
    opt('resume', nullable(string('continue the run in this directory from its last checkpoint', '')), 'Run'),
    opt('model', string(`model kind: ${modelKinds().join(', ')} (see Models below; --model KIND --help lists its flags)`, 'dense'), 'Run'),
  ];
}

function specs(kind: string): FlagSpec[] {
  return [...runFlags(), ...configFlags(kind), ...COMMON_FLAGS];
}

function kindFromArgv(argv: readonly string[]): string {
  const i = argv.findIndex((a) => a === '--model' || a.startsWith('--model='));
  if (i < 0) return 'dense';
  return argv[i]!.includes('=') ? argv[i]!.split('=')[1]! : (argv[i + 1] ?? 'dense');
}

export function trainHelp(kind = 'dense'): string {
  registerBuiltinModels();
  const presets = Object.entries(PRESETS).map(([k, p]) => `  ${k.padEnd(12)} ${p.summary}`);
  const models = modelKinds().map((k) => `  ${k.padEnd(12)} ${getVariant(k).summary}`);
  return formatHelp('aekit train [flags]', 'Train an autoencoder. With no flags: the bundled MNIST and a dense autoencoder.', specs(kind), [
    'Models (--model):', ...models, '',
    'Presets:', ...presets, '',
    'Examples:',
    '  aekit train --epochs 1',
    '  aekit train --preset keras-deep --epochs 10 --out runs/keras',
    '  aekit train --data table.csv --label-column label --normalize standard --loss mse --output-activation linear',
    '  aekit train --data photos/ --channels 3 --image-size 32x32 --test-data photos-test/ --hidden 256 --latent-dim 32',
    '  aekit train --resume runs/keras --epochs 20',
    '',
    'Exit codes: 0 ok, 2 bad flags or config, 3 bad input data, 4 training diverged (NaN/Inf or runaway loss), 5 an output could not be written.',
  ]);
}

export function resolveConfig(argv: readonly string[]): { config: RunConfig; opts: Map<string, unknown> } {
  registerBuiltinModels();
  const { positionals, values } = parseArgs(argv, specs(kindFromArgv(argv)), 'train');
  if (positionals.length) throw new UsageError(`aekit train takes no positional arguments (got ${quoted(positionals[0]!, 40)})`);
  const opts = new Map([...values].filter(([k]) => k.startsWith('opt.')).map(([k, v]) => [k.slice(4), v]));
  const resume = opts.get('resume') as string | null | undefined;
  const overrides = toNested(values, ['model', 'data', 'optimizer', 'train']);
  if (opts.has('model')) overrides.model = { ...overrides.model, kind: opts.get('model') };
  if (resume) {
    for (const flag of ['out', 'preset', 'config', 'model']) {
      if (opts.has(flag)) throw new UsageError(`--${flag} cannot be used with --resume: a run continues in its own directory with its own configuration`);
    }
    const base = readRunConfig(resume);
    const config = parseOrUsage(mergeConfig(base as unknown as Record<string, unknown>, overrides));
    checkResumeOverrides(base, config, specs(base.model.kind));
    return { config, opts };
  }
  const presetName = (opts.get('preset') as string | undefined) ?? 'default';
  const preset = PRESETS[presetName];
  if (!preset) throw new UsageError(`--preset: unknown preset '${presetName}' (known: ${Object.keys(PRESETS).join(', ')})`);
  let base = mergeConfig({}, preset.config);
  const file = opts.get('config') as string | null | undefined;
  if (file) base = mergeConfig(base, readConfigFile(file));
  return { config: parseOrUsage(mergeConfig(base, overrides)), opts };
}

function parseOrUsage(raw: Record<string, unknown>): RunConfig {
  return classify(UsageError, () => parseRunConfig(raw));
}

/** Settings a resumed run may change; the others would make it a different run (or break exact resume). */
const RESUMABLE = new Set(['train.epochs', 'train.earlyStopping', 'train.minDelta', 'train.clipNorm', 'train.backend', 'train.threads', 'train.evalBatchSize', 'optimizer.lr', 'optimizer.weightDecay']);

function checkResumeOverrides(base: RunConfig, next: RunConfig, flags: readonly FlagSpec[]): void {
  for (const section of ['model', 'data', 'optimizer', 'train'] as const) {
    const [a, b] = [base[section] as unknown as Record<string, unknown>, next[section] as unknown as Record<string, unknown>];
    for (const key of Object.keys(b)) {
      const path = `${section}.${key}`;
      if (RESUMABLE.has(path) || JSON.stringify(a[key]) === JSON.stringify(b[key])) continue;
      const flag = flags.find((f) => f.path.join('.') === path)?.name ?? path;
      throw new UsageError(`--${flag} cannot change when resuming (the run was trained with ${JSON.stringify(a[key])}); start a new run to change it. A resumed run may change: ${[...RESUMABLE].map((p) => `--${flags.find((f) => f.path.join('.') === p)?.name ?? p}`).join(', ')}`);
    }
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  const text = new TextDecoder().decode(classify(InputError, () => readFileBytes(path)));
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--config ${path}: invalid JSON (${jsonProblem(err)})`);
  }
}

function defaultOut(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return join('runs', `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`);
}

export async function trainCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(trainHelp(kindFromArgv(argv)));
    return EXIT.ok;
  }
  const { config, opts } = resolveConfig(argv);
  const json = opts.get('json') === true;
  const quiet = opts.get('quiet') === true || json;
  const resume = (opts.get('resume') as string | null | undefined) ?? null;
  const outDir = resume ?? (opts.get('out') as string | null | undefined) ?? defaultOut();
  const tty = io.err.isTTY === true;
  await useBackend(config.train.backend, config.train.threads, io, quiet);
  let result: SessionResult;
  const stop = stopOnSignals(io);
  try {
    result = await runSession({
      config, outDir, resume: resume !== null, signal: stop.signal,
      ...(quiet ? {} : { onEvent: progressSink({ stream: io.err, tty }), onNote: (n: string) => io.err.write(`aekit train: note: ${n}\n`) }),
    });
  } catch (err) {
    if (err instanceof DivergedError) {
      io.err.write(`aekit train: ${err.message}\n`);
      return EXIT.diverged;
    }
    throw err;
  } finally {
    stop.release();
  }
  if (result.train.status === 'stopped') {
    const done = result.train.state.epochsDone;
    io.err.write(`aekit train: ${result.train.stopReason}; ${done === 0 ? 'no epoch had finished, so nothing was checkpointed' : `the run keeps its checkpoint of epoch ${done}`}; aekit train --resume ${outDir} continues it\n`);
    if (json) printJson(io, { outDir, status: 'interrupted', epochsDone: done });
    return 128 + (stop.signalNumber ?? 2);
  }
  if (json) printJson(io, { outDir, ...result.metrics });
  else if (!quiet) summary(io, result);
  return EXIT.ok;
}

function summary(io: Io, r: SessionResult): void {
  const m = r.metrics;
  const t = r.test;
  io.out.write(`\nrun directory: ${r.outDir}\n`);
  io.out.write(`backend ${String(m.backend)}, ${r.train.state.epochsDone} epochs, ${fmtRate(r.train.samplesPerSec)} samples/s, ${r.train.wallSeconds.toFixed(1)} s\n`);
  if (t) io.out.write(`test: MSE/pixel ${t.mse.toFixed(5)}  BCE/pixel ${t.bce === null ? 'n/a' : t.bce.toFixed(5)}  squared error/image ${t.sqErrPerImage.toFixed(3)}\n`);
  if (t?.denoised) io.out.write(`test, corrupted inputs against clean: MSE/pixel ${t.denoised.mse.toFixed(5)}  BCE/pixel ${t.denoised.bce === null ? 'n/a' : t.denoised.bce.toFixed(5)}\n`);
  io.out.write(`files: run.json config.json model.safetensors events.jsonl metrics.json ${r.pictures.join(' ')}\n`);
}

/**
 * The first SIGINT or SIGTERM stops training after the step under way (the run keeps its last
 * checkpoint and resumes exactly); a second one quits at once. Exit status 128 + the signal's number.
 */
function stopOnSignals(io: Io): { signal: AbortSignal; signalNumber: number | null; release(): void } {
  const controller = new AbortController();
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15 };
  const out = { signal: controller.signal, signalNumber: null as number | null, release };
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      io.err.write(`aekit train: ${sig} again: quitting now (the run keeps its last checkpoint)\n`);
      process.exit(128 + (numbers[sig] ?? 2));
    }
    out.signalNumber = numbers[sig] ?? 2;
    io.err.write(`\naekit train: ${sig}: stopping after this step (${sig === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again quits at once)\n`);
    controller.abort(new Error(`stopped by ${sig}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  function release(): void {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
  return out;
}
