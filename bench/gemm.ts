/**
 * SGEMM GFLOP/s: aekit's native MatMul kernel against OpenBLAS through NumPy (bench/gemm_numpy.py),
 * both with 2 threads, median of timed repetitions after warm-up. The two sides run alternately
 * for `rounds` rounds and each reports the median of its rounds, so drift on this shared host
 * hits both. `node dist/bench/gemm.js [--rounds N] [--shapes 256x784x1000,...]` prints the table.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ak from '../src/index.js';
import { getKernel, type TensorInfo } from '../src/core/index.js';
import type { NativeBackend } from '../src/backends/native/index.js';
import { benchArgs, median, peerEnv, positiveInts, PYTHON, ROOT, runJson } from './peer.js';

export interface GemmRow {
  /** M×K×N: op(A) is M×K, op(B) is K×N. */
  shape: string;
  trans: string;
  aekit: number;
  openblas: number;
  ratio: number;
}

export interface GemmBenchOptions {
  shapes?: readonly string[];
  trans?: readonly string[];
  rounds?: number;
  reps?: number;
  threads?: number;
}

const DEFAULT_SHAPES = ['256x784x1000', '1024x1024x1024'];
const DEFAULT_TRANS = ['NN', 'NT', 'TN', 'TT'];

function operand(be: NativeBackend, rows: number, cols: number, transposed: boolean): TensorInfo {
  const data = be.alloc('float32', rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.random();
  return { shape: transposed ? [cols, rows] : [rows, cols], dtype: 'float32', data };
}

/** GFLOP/s of the native MatMul kernel (the median of `reps` calls after 5 warm-up calls). */
function timeNative(be: NativeBackend, shape: string, trans: string, reps: number): number {
  const [m, k, n] = shape.split('x').map(Number) as [number, number, number];
  const transposeA = trans[0] === 'T';
  const transposeB = trans[1] === 'T';
  const a = operand(be, m, k, transposeA);
  const b = operand(be, k, n, transposeB);
  const matmul = getKernel(be.name, 'MatMul');
  const run = (): void => be.release(matmul([a, b], { transposeA, transposeB }, be).data);
  for (let i = 0; i < 5; i++) run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - t));
  }
  be.release(a.data);
  be.release(b.data);
  return (2 * m * k * n) / median(times);
}

function timeOpenBlas(shapes: readonly string[], trans: readonly string[], reps: number, threads: number): Map<string, number> {
  const script = join(ROOT, 'bench', 'gemm_numpy.py');
  const r = runJson(PYTHON, [script, '--shapes', shapes.join(','), '--trans', trans.join(','), '--reps', String(reps), '--threads', String(threads)], peerEnv());
  const rows = r['rows'] as { shape: string; trans: string; gflops: number }[];
  return new Map(rows.map((row) => [`${row.shape} ${row.trans}`, row.gflops]));
}

/**
 * The machine's FMA peak now, in GFLOP/s: a register-only loop of independent vector FMAs on
 * every native pool thread (the best of three ~1 s runs). TARGETS.md measured 530 this way.
 */
export async function fmaPeak(threads = 2): Promise<number> {
  const be = (await ak.setBackend('native')) as NativeBackend;
  be.setThreads(threads);
  be.addon.fmaPeak(1e6);
  return Math.max(...[0, 1, 2].map(() => be.addon.fmaPeak(5e7)));
}

/** One row per (shape, transpose combination), aekit and OpenBLAS in GFLOP/s. */
export async function gemmBench(opts: GemmBenchOptions = {}): Promise<GemmRow[]> {
  const shapes = opts.shapes ?? DEFAULT_SHAPES;
  const trans = opts.trans ?? DEFAULT_TRANS;
  const rounds = opts.rounds ?? 3;
  const reps = opts.reps ?? 30;
  const be = (await ak.setBackend('native')) as NativeBackend;
  be.setThreads(opts.threads ?? 2);
  const mine = new Map<string, number[]>();
  const theirs = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, key: string, v: number): void => void (m.get(key) ?? m.set(key, []).get(key)!).push(v);
  for (let r = 0; r < rounds; r++) {
    for (const s of shapes) for (const t of trans) push(mine, `${s} ${t}`, timeNative(be, s, t, reps));
    for (const [key, v] of timeOpenBlas(shapes, trans, reps, opts.threads ?? 2)) push(theirs, key, v);
  }
  return shapes.flatMap((shape) =>
    trans.map((t) => {
      const aekit = median(mine.get(`${shape} ${t}`)!);
      const openblas = median(theirs.get(`${shape} ${t}`)!);
      return { shape, trans: t, aekit, openblas, ratio: aekit / openblas };
    }),
  );
}

function printTable(rows: readonly GemmRow[], describe: Record<string, unknown>): void {
  console.log(`SGEMM, 2 threads, ${new Date().toISOString()}, native ${JSON.stringify(describe)}`);
  console.log('shape (M×K×N)     trans   aekit GFLOP/s   OpenBLAS GFLOP/s   ratio');
  for (const r of rows) {
    console.log(`${r.shape.padEnd(17)} ${r.trans.padEnd(5)}   ${r.aekit.toFixed(1).padStart(13)}   ${r.openblas.toFixed(1).padStart(16)}   ${r.ratio.toFixed(2).padStart(5)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const usage = `Usage: node dist/bench/gemm.js [flags]

SGEMM GFLOP/s of aekit's native MatMul against NumPy/OpenBLAS, 2 threads each, alternated.

Flags:
  --shapes MxKxN,...   problem shapes (default ${DEFAULT_SHAPES.join(',')})
  --trans NN,NT,...    transpose combinations of op(A), op(B) (default ${DEFAULT_TRANS.join(',')})
  --rounds N           alternating rounds (default 3)
  --reps N             timed calls per shape and round (default 30)
  -h, --help           this text`;
  const { values } = benchArgs(usage, {
    options: { rounds: { type: 'string', default: '3' }, shapes: { type: 'string' }, trans: { type: 'string' }, reps: { type: 'string', default: '30' } },
  });
  const rows = await gemmBench({
    rounds: positiveInts('rounds', values.rounds!, usage)[0]!,
    reps: positiveInts('reps', values.reps!, usage)[0]!,
    ...(values.shapes ? { shapes: values.shapes.split(',') } : {}),
    ...(values.trans ? { trans: values.trans.split(',') } : {}),
  });
  printTable(rows, ak.getBackend().describe());
}
