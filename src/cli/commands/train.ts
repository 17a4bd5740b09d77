/** aekit train: train an autoencoder (MNIST and a dense AE when given no arguments). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerBuiltinModels } from '../../models/index.js';
import { NonFiniteError } from '../../train/trainer.js';
import { mergeConfig, parseRunConfig, PRESETS, type RunConfig } from '../../train/config.js';
import { readRunConfig, runSession, type SessionResult } from '../../train/session.js';
import { formatHelp, parseArgs, toNested, type FlagSpec } from '../args.js';
import { printJson, useBackend, type Io } from '../common.js';
import { EXIT, InputError, UsageError } from '../errors.js';
import { COMMON_FLAGS, configFlags, nullable, opt, string } from '../flags.js';
import { fmtRate, progressSink } from '../progress.js';

const RUN_FLAGS: FlagSpec[] = [
  opt('preset', string(`starting configuration: ${Object.keys(PRESETS).join(', ')}`, 'default'), 'Run'),
  opt('config', nullable(string('JSON file with {model, data, optimizer, train} sections; flags override it', '')), 'Run'),
  opt('out', nullable(string('run directory (default: runs/<date>-<time>)', '')), 'Run'),
  opt('resume', nullable(string('continue the run in this directory from its last checkpoint', '')), 'Run'),
  opt('model', string('model kind', 'dense'), 'Run'),
];

function specs(kind: string): FlagSpec[] {
  return [...RUN_FLAGS, ...configFlags(kind), ...COMMON_FLAGS];
}

function kindFromArgv(argv: readonly string[]): string {
  const i = argv.findIndex((a) => a === '--model' || a.startsWith('--model='));
  if (i < 0) return 'dense';
  return argv[i]!.includes('=') ? argv[i]!.split('=')[1]! : (argv[i + 1] ?? 'dense');
}

export function trainHelp(): string {
  registerBuiltinModels();
  const presets = Object.entries(PRESETS).map(([k, p]) => `  ${k.padEnd(12)} ${p.summary}`);
  return formatHelp('aekit train [flags]', 'Train an autoencoder. With no flags: the bundled MNIST and a dense autoencoder.', specs('dense'), [
    'Presets:', ...presets, '',
    'Examples:',
    '  aekit train --epochs 1',
    '  aekit train --preset keras-deep --epochs 10 --out runs/keras',
    '  aekit train --data table.csv --label-column label --normalize standard --loss mse --output-activation linear',
    '  aekit train --resume runs/keras --epochs 20',
    '',
    'Exit codes: 0 ok, 2 bad flags or config, 3 bad input data, 4 training diverged (NaN/Inf), 130 interrupted.',
  ]);
}

export function resolveConfig(argv: readonly string[]): { config: RunConfig; opts: Map<string, unknown> } {
  registerBuiltinModels();
  const { positionals, values } = parseArgs(argv, specs(kindFromArgv(argv)), 'train');
  if (positionals.length) throw new UsageError(`aekit train takes no positional arguments (got '${positionals[0]}')`);
  const opts = new Map([...values].filter(([k]) => k.startsWith('opt.')).map(([k, v]) => [k.slice(4), v]));
  const resume = opts.get('resume') as string | null | undefined;
  let base: Record<string, unknown>;
  if (resume) {
    base = { ...(readRunConfigOrFail(resume) as unknown as Record<string, unknown>) };
  } else {
    const presetName = (opts.get('preset') as string | undefined) ?? 'default';
    const preset = PRESETS[presetName];
    if (!preset) throw new UsageError(`--preset: unknown preset '${presetName}' (known: ${Object.keys(PRESETS).join(', ')})`);
    base = mergeConfig({}, preset.config);
    const file = opts.get('config') as string | null | undefined;
    if (file) base = mergeConfig(base, readConfigFile(file));
  }
  const overrides = toNested(values, ['model', 'data', 'optimizer', 'train']);
  if (opts.has('model')) overrides.model = { ...overrides.model, kind: opts.get('model') };
  try {
    return { config: parseRunConfig(mergeConfig(base, overrides)), opts };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function readRunConfigOrFail(dir: string): RunConfig {
  try {
    return readRunConfig(dir);
  } catch (err) {
    throw new InputError((err as Error).message);
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`--config: no such file: ${path}`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`--config ${path}: invalid JSON (${(err as Error).message})`);
  }
}

function defaultOut(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return join('runs', `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`);
}

export async function trainCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(trainHelp());
    return EXIT.ok;
  }
  const { config, opts } = resolveConfig(argv);
  const json = opts.get('json') === true;
  const quiet = opts.get('quiet') === true || json;
  const resume = (opts.get('resume') as string | null | undefined) ?? null;
  const outDir = resume ?? (opts.get('out') as string | null | undefined) ?? defaultOut();
  const tty = io.err.isTTY === true;
  await useBackend(config.train.backend, config.train.threads > 0 ? String(config.train.threads) : null, io, quiet);
  let result: SessionResult;
  try {
    result = await runSession({
      config, outDir, resume: resume !== null,
      ...(quiet ? {} : { onEvent: progressSink({ stream: io.err, tty }) }),
    });
  } catch (err) {
    if (err instanceof NonFiniteError) {
      io.err.write(`aekit train: ${err.message}\n`);
      return EXIT.diverged;
    }
    if (err instanceof UsageError || err instanceof InputError) throw err;
    throw new InputError((err as Error).message);
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
  io.out.write(`files: config.json model.safetensors events.jsonl metrics.json loss.png${r.config.model.inputDim === 784 ? ' reconstructions.png' : ''}\n`);
}
