/**
 * The `aekit` command line. A case file holds one argument per line; seeds are working command
 * lines over small fixtures (a CSV, two NPY files, a trained model), and mutations splice in every
 * flag name and edge-case values. Each case runs the real binary in its own working directory,
 * under a memory limit. Property: exit 0 or one of the documented failure codes with a one-line
 * message, never an internal error, a stack trace, a hang or a changed fixture.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNpy } from '../../data/files.js';
import type { FuzzTarget } from '../target.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const DOCUMENTED_EXITS = [0, 2, 3, 4, 5];
/** Generous for one tiny training run on a busy 2-core machine; past it a case is a hang. */
const CASE_MS = 20_000;
/** Address space for one command (8 GiB): a command that needs more is unbounded memory. */
const ADDRESS_KB = 8 * 2 ** 20;
/** Flags whose values name files aekit writes: kept inside the case's working directory. */
const WRITES = new Set(['--out', '--png', '--resume']);
/** Flags that size work: capped so one case stays a small run (a big model is a legitimate request, not a bug). */
const SIZE_CAPS: Record<string, number> = { '--epochs': 3, '--limit': 300, '--hidden': 512, '--latent-dim': 64, '--batch-size': 512, '--n': 1000, '--num-classes': 1000 };

const SEEDS = [
  'train --data @DATA --label-column label --loss mse --output-activation linear --hidden 8 --latent-dim 2 --epochs 1 --out run1',
  'eval @MODEL --json',
  'eval @MODEL --data @NPY --batch-size 7',
  'encode @MODEL --data @DATA --label-column label --out z.npy',
  'decode @MODEL --input @CODES --out x.csv',
  'reconstruct @MODEL --limit 5 --out r.npy',
  'info @MODEL',
  'info --preset keras-deep --json',
  'train --resume @MODEL --epochs 2 --lr 0.01',
  'train --data @NPY --loss mse --normalize standard --optimizer sgd --schedule cosine --epochs 2 --out run2',
  'train --config @CONFIG --data @DATA --header yes --label-column 4 --epochs 1',
  'train --model vae --data @DATA --label-column label --likelihood gaussian --beta 0.5 --kl-warmup 0.5 --hidden 8 --latent-dim 2 --epochs 2 --out vae',
  'train --model denoising --data @NPY --noise masking --noise-level 0.3 --batch-norm --dropout 0.1 --loss mse --epochs 1 --out den',
  'train --model contractive --data @NPY --activation tanh --contraction 0.1 --loss mse --hidden 4 --epochs 1 --out cae',
  'train --model sparse --data @NPY --latent-activation sigmoid --kl-sparsity 0.5 --rho 0.1 --loss mse --epochs 1 --out sae',
  'sample @MODEL --n 4 --out s.npy',
  'train --model cvae --data @DATA --label-column label --num-classes 3 --hidden 8 --latent-dim 2 --epochs 2 --out cvae',
  'decode @MODEL --input @CODES --class 1 --out x.npy',
  'anomaly fit --data @DATA --label-column label --members 2 --epochs 2 --contamination 0.2 --out det',
  'anomaly score @MODEL --data @DATA --label-column label --out s.csv',
];

const TOKENS = [
  '--data', '--label-column', '--header', '--test-data', '--normalize', '--val-fraction', '--limit', '--loss', '--hidden', '--latent-dim',
  '--activation', '--latent-activation', '--output-activation', '--tied-weights', '--init', '--optimizer', '--lr', '--momentum', '--beta1',
  '--beta2', '--eps', '--weight-decay', '--alpha', '--epochs', '--batch-size', '--seed', '--backend', '--threads', '--early-stopping',
  '--min-delta', '--clip-norm', '--schedule', '--step-size', '--gamma', '--eval-batch-size', '--preset', '--config', '--out', '--resume',
  '--model', '--input', '--png', '--json', '--quiet', '--help', '--no-tied-weights', 'train', 'eval', 'encode', 'decode', 'reconstruct',
  'info', 'sample', '--n', '--likelihood', '--beta', '--kl-warmup', '--noise', '--noise-level', '--noise-clip', '--l1', '--kl-sparsity',
  '--rho', '--contraction', '--batch-norm', '--dropout', 'dense', 'denoising', 'sparse', 'contractive', 'gaussian', 'masking',
  'salt-and-pepper', 'bernoulli', 'keras-shallow', 'keras-sparse', '0', '-1', '1.5', '1e309', 'NaN', '4294967296', 'abc', '', '=', '/dev/zero', '/proc/aekit', 'mnist', 'mnist:test', '@DATA',
  '@NPY', '@CODES', '@MODEL', '@CONFIG', 'yes', 'no', 'sgd', 'tanh', 'vae', 'reference', 'native', 'hinton2006',
  'cvae', '--num-classes', '--class',
  'anomaly', 'fit', 'score', '--contamination', '--percentile', '--threshold', '--explain', '--members', '--plots', '--score', 'likelihood',
];

interface CliResult {
  args: string[];
  status: number | null;
  signal: string | null;
  stderr: string;
  fixturesChanged: boolean;
}

/** Small data and a trained model beside the case file, made once per worker. */
function fixtures(dir: string): string {
  const fx = join(dir, 'fixtures');
  if (existsSync(join(fx, 'model', 'model.safetensors'))) return fx;
  mkdirSync(fx, { recursive: true });
  const rows = ['a,b,c,d,e,f,label', ...Array.from({ length: 60 }, (_, i) => [0, 1, 2, 3, 4, 5].map((j) => ((i * 7 + j * 3) % 11) / 11).join(',') + `,${i % 3}`)];
  writeFileSync(join(fx, 't.csv'), rows.join('\n') + '\n');
  writeNpy(join(fx, 'x.npy'), Float32Array.from({ length: 40 * 6 }, (_, i) => (i % 13) / 13), [40, 6]);
  writeNpy(join(fx, 'z.npy'), Float32Array.from({ length: 6 }, (_, i) => i / 3 - 1), [3, 2]);
  writeFileSync(join(fx, 'c.json'), JSON.stringify({ model: { hidden: [4], latentDim: 2, loss: 'mse', outputActivation: 'linear' }, train: { epochs: 1 } }));
  const r = spawnSync(process.execPath, [CLI, 'train', '--data', join(fx, 't.csv'), '--label-column', 'label', '--loss', 'mse', '--output-activation', 'linear',
    '--hidden', '8', '--latent-dim', '2', '--epochs', '1', '--out', join(fx, 'model'), '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cli fuzz fixtures: training the fixture model failed: ${r.stderr}`);
  return fx;
}

/** The case's arguments with placeholders resolved, written paths kept inside `work`, and sizes capped. */
function caseArgs(text: string, fx: string): string[] {
  const subst: Record<string, string> = { '@DATA': join(fx, 't.csv'), '@NPY': join(fx, 'x.npy'), '@CODES': join(fx, 'z.npy'), '@CONFIG': join(fx, 'c.json'), '@MODEL': 'model' };
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const args = lines.map((a) => a.replace(/@[A-Z]+/g, (m) => subst[m] ?? m));
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = splitFlag(args[i]!);
    const valueAt = inline === null ? i + 1 : i;
    if (valueAt >= args.length || !(WRITES.has(flag) || flag in SIZE_CAPS)) continue;
    const value = inline ?? args[valueAt]!;
    const safe = WRITES.has(flag) ? safeOutput(value, fx) : capSizes(value, SIZE_CAPS[flag]!);
    args[valueAt] = inline === null ? safe : `${flag}=${safe}`;
  }
  // No argument can hold a NUL byte (the OS's argv is C strings), and none may climb out of the sandbox.
  return args.map((a) => a.replaceAll('\0', '?').replaceAll('..', '__'));
}

function splitFlag(arg: string): [string, string | null] {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, null];
}

/** An output path outside the working directory (absolute, or into the fixtures) becomes a local name. */
function safeOutput(value: string, fx: string): string {
  if (value === '/proc/aekit') return value;
  return value.startsWith('/') || value.startsWith(fx) ? `out-${value.replace(/[^\w.]/g, '_').slice(-40)}` : value;
}

function capSizes(value: string, cap: number): string {
  return value.split(',').map((v) => (/^\d+$/.test(v.trim()) && Number(v) > cap ? String(cap) : v)).join(',');
}

function digest(fx: string): string {
  const h = createHash('sha256');
  for (const f of ['t.csv', 'x.npy', 'z.npy', 'c.json', 'model/model.safetensors', 'model/config.json', 'model/run.json']) h.update(readFileSync(join(fx, f)));
  return h.digest('hex');
}

function runCli(bytes: Uint8Array, path: string): CliResult {
  const fx = fixtures(dirname(path));
  const work = join(dirname(path), 'work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work);
  cpSync(join(fx, 'model'), join(work, 'model'), { recursive: true });
  const args = caseArgs(new TextDecoder().decode(bytes), fx);
  const before = digest(fx);
  const r = spawnSync('bash', ['-c', `ulimit -v ${ADDRESS_KB}; exec "$0" "$@"`, process.execPath, CLI, ...args], {
    cwd: work, encoding: 'utf8', timeout: CASE_MS, env: { ...process.env, AEKIT_THREADS: '1' },
  });
  return { args, status: r.status, signal: r.signal, stderr: r.stderr ?? '', fixturesChanged: digest(fx) !== before };
}

function checkCli(r: CliResult): string | null {
  const cmd = `aekit ${r.args.map((a) => JSON.stringify(a)).join(' ')}`;
  if (r.fixturesChanged) return `${cmd} changed an input file`;
  if (r.status === null) return `${cmd} ${r.signal === 'SIGTERM' ? `hung (stopped after ${CASE_MS} ms)` : `died with ${r.signal}`}: ${r.stderr.slice(0, 300)}`;
  if (!DOCUMENTED_EXITS.includes(r.status)) return `${cmd} exited ${r.status}: ${r.stderr.slice(0, 500)}`;
  if (/\n\s+at /.test(r.stderr)) return `${cmd} printed a stack trace: ${r.stderr.slice(0, 500)}`;
  if (r.status !== 0 && !/^aekit\b.*: /m.test(r.stderr)) return `${cmd} failed (exit ${r.status}) without saying why: ${r.stderr.slice(0, 300)}`;
  return null;
}

export const cli: FuzzTarget<CliResult> = {
  name: 'cli',
  ext: '.argv',
  seeds: () => SEEDS.map((s) => new TextEncoder().encode(s.split(' ').join('\n') + '\n')),
  tokens: TOKENS.map((t) => `\n${t}\n`),
  run: runCli,
  check: checkCli,
  timeoutMs: CASE_MS,
  quickRuns: 12,
};
