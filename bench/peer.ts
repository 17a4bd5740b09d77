/** Running the PyTorch/NumPy peer the way it is fastest on this machine (../shared/TARGETS.md). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const PYTHON = '/usr/bin/python3';
export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * glibc malloc settings that keep freed memory in the process. By default glibc hands large freed
 * blocks back to the kernel, so every PyTorch step faults its activations and gradients in again
 * (about 3,000 page faults per Model B step, 10× fewer with these): on this VM that made PyTorch
 * 2–3× slower and bimodal from run to run. Measured 2026-11-26: Model B 3.4k → 8.5k samples/s.
 */
export const KEEP_MEMORY: NodeJS.ProcessEnv = { MALLOC_MMAP_THRESHOLD_: '4000000000', MALLOC_TRIM_THRESHOLD_: '40000000000', MALLOC_TOP_PAD_: '100000000' };

/** The environment for the peer: OpenBLAS's core-type overrides removed, passive OpenMP waiting (TARGETS.md), plus `extra`. */
export function peerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ...extra };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** A way to run the PyTorch peer; bench/run.ts measures each and compares against the fastest. */
export interface PeerConfig {
  name: string;
  /** PyTorch's intra-op (OpenMP) threads; OpenBLAS always gets 2. */
  intraThreads: number;
  env: NodeJS.ProcessEnv;
}

export const PEER_CONFIGS: readonly PeerConfig[] = [
  { name: 'TARGETS.md recipe (2 intra-op threads, glibc defaults)', intraThreads: 2, env: {} },
  { name: '2 intra-op threads, memory kept', intraThreads: 2, env: KEEP_MEMORY },
  { name: '1 intra-op thread, memory kept', intraThreads: 1, env: KEEP_MEMORY },
];

/** Run a command that prints one JSON line last; returns the parsed object. */
export function runJson(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}

export const torch = (args: readonly string[], config: PeerConfig = PEER_CONFIGS.at(-1)!): Record<string, unknown> =>
  runJson(PYTHON, [join(ROOT, 'bench', 'torch_models.py'), ...args, '--intra-threads', String(config.intraThreads)], peerEnv(config.env));
export const aekit = (args: readonly string[]): Record<string, unknown> => runJson(process.execPath, [join(ROOT, 'dist', 'bench', 'aekit-models.js'), ...args]);

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * parseArgs for a bench script, with `--help` (prints `usage`, exits 0) and a clear message and
 * exit code 2 for an unknown or malformed flag instead of a stack trace.
 */
export function benchArgs<T extends ParseArgsConfig>(usage: string, config: T): ReturnType<typeof parseArgs<T>> {
  const withHelp = { ...config, options: { ...config.options, help: { type: 'boolean', short: 'h' } } } as T;
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(withHelp);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if ((parsed.values as Record<string, unknown>)['help']) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
}

/**
 * The positive whole number of flag --`flag` (or, with `list`, the comma-separated numbers); on
 * anything else a clear message, `usage` and exit 2.
 */
export function positiveInts(flag: string, text: string, usage: string, list = false): number[] {
  const values = text.split(',').map(Number);
  if ((!list && values.length !== 1) || !values.every((v) => Number.isInteger(v) && v > 0)) {
    const what = list ? 'positive whole numbers separated by commas' : 'a positive whole number';
    console.error(`--${flag} must be ${what}, got '${text}'\n\n${usage}`);
    process.exit(2);
  }
  return values;
}
