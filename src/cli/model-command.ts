/**
 * The frame of every command that uses a trained model (eval, encode, reconstruct, reduce,
 * features, generate, denoise, …): parse its flags, choose the backend, load the model, run.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { noGrad } from '../core/index.js';
import type { LoadedModel } from '../io/model-dir.js';
import { quoted } from '../util/text.js';
import { formatHelp, parseArgs, type FlagSpec } from './args.js';
import { loadModel, useBackend, type Io } from './common.js';
import { EXIT, InputError, UsageError } from './errors.js';
import { runSharded } from './shards.js';
import { BACKEND_FLAGS, COMMON_FLAGS } from './flags.js';
import type { Options } from './model-data.js';

export interface ModelCommand {
  usage: string;
  description: string;
  flags: FlagSpec[];
  /** Lines after the flags in --help. */
  notes?: string[];
  /** Run with gradients recorded (a command that trains something, such as `features`); others run under noGrad. */
  trains?: boolean;
  /** The output format of one shard when the command runs over --shards (its flags then include SHARD_FLAGS). */
  shardOutput?: 'npy' | 'csv';
  /** Rewrite the arguments before they are parsed (a flag that takes two words). */
  rewriteArgs?: (argv: readonly string[]) => string[];
  run(m: LoadedModel, o: Options, io: Io): number;
}

/** The model directory of a sharded run, as an absolute path (workers run elsewhere). */
export function shardModel(dir: string | undefined, name: string): string {
  if (dir === undefined) throw new UsageError(`aekit ${name} --shards needs the model directory`);
  if (!existsSync(dir)) throw new InputError(`${dir}: no such model directory`);
  return resolve(dir);
}

export function modelCommandHelp(c: ModelCommand): string {
  return formatHelp(c.usage, c.description, [...c.flags, ...BACKEND_FLAGS, ...COMMON_FLAGS], c.notes ?? []);
}

export async function runModelCommand(name: string, c: ModelCommand, argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(modelCommandHelp(c));
    return EXIT.ok;
  }
  const { positionals, values, texts } = parseArgs(c.rewriteArgs ? c.rewriteArgs(argv) : argv, [...c.flags, ...BACKEND_FLAGS, ...COMMON_FLAGS], name);
  const o: Options = new Map([...values].map(([k, v]) => [k.replace(/^opt\./, ''), v]));
  if (positionals.length > 1) throw new UsageError(`aekit ${name} takes one model directory, got ${positionals.map((p) => quoted(p, 40)).join(' ')}`);
  if (c.shardOutput && o.get('shards')) return runSharded({ command: [name, shardModel(positionals[0], name)], texts, ext: c.shardOutput }, io);
  if (o.get('queue')) throw new UsageError('--queue runs shards: give them with --shards');
  const quiet = o.get('quiet') === true;
  await useBackend((o.get('backend') as string | undefined) ?? 'auto', (o.get('threads') as number | undefined) ?? 0, io, quiet || o.get('json') === true);
  const m = loadModel(positionals[0], name, io, quiet);
  return c.trains ? c.run(m, o, io) : noGrad(() => c.run(m, o, io));
}
