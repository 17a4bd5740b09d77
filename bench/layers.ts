/**
 * Per-layer time of a dense autoencoder's training step on the native backend: each layer's
 * FusedDense (forward) and FusedDenseGrad (backward; the first layer skips its input gradient, as
 * in training) timed alone, hot in cache, at each thread count asked for. Shows where a step's
 * GEMM time goes and how each layer scales from one core to two.
 *
 *   node dist/bench/layers.js [--model A|B | --dims 784,128,64,32,64,128,784] [--threads 1,2] [--batch 256]
 */
import { loadAddon } from '../src/backends/native/addon.js';
import { ACT } from '../src/backends/native/kernels/fused-dense.js';
import { benchArgs, median, positiveInts } from './peer.js';

const USAGE = `Usage: node dist/bench/layers.js [flags]

Times each layer of a dense autoencoder alone on the native backend (forward and backward,
median of timed calls, hot in cache) at each thread count, and prints GFLOP/s per layer.

Flags:
  --model A|B        TARGETS.md's Model A (784-128-64-32 mirrored) or Model B (784-1000-500-250-30 mirrored)
  --dims LIST        layer widths instead, e.g. 784,256,784
  --threads LIST     thread counts to compare (default 1,2)
  --batch N          rows per batch (default 256)
  --reps N           timed calls per layer (default 200)
  -h, --help         this text`;

const MODELS: Record<string, number[]> = {
  A: [784, 128, 64, 32, 64, 128, 784],
  B: [784, 1000, 500, 250, 30, 250, 500, 1000, 784],
};

const { values } = benchArgs(USAGE, {
  options: {
    model: { type: 'string', default: 'A' }, dims: { type: 'string' }, threads: { type: 'string', default: '1,2' },
    batch: { type: 'string', default: '256' }, reps: { type: 'string', default: '200' },
  },
});

const dims = values.dims ? positiveInts('dims', values.dims, USAGE, true) : MODELS[values.model!.toUpperCase()];
if (!dims || dims.length < 2) {
  console.error(`--model must be A or B (or give --dims with at least two widths)\n\n${USAGE}`);
  process.exit(2);
}
const threadCounts = positiveInts('threads', values.threads!, USAGE, true);
const [batch] = positiveInts('batch', values.batch!, USAGE) as [number];
const [reps] = positiveInts('reps', values.reps!, USAGE) as [number];

const addon = loadAddon();

function filled(n: number): Float32Array {
  const b = addon.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.random() - 0.5;
  return b;
}

/** Median microseconds of `reps` calls after 20 warm-up calls. */
function micros(f: () => void): number {
  for (let i = 0; i < 20; i++) f();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    f();
    times.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return median(times);
}

const layers = dims.slice(1).map((out, l) => {
  const inF = dims[l]!;
  return {
    inF, out, first: l === 0,
    x: filled(batch * inF), w: filled(out * inF), b: filled(out), y: filled(batch * out), dy: filled(batch * out),
    dx: l === 0 ? addon.alloc(0) : filled(batch * inF), dw: filled(out * inF), db: filled(out),
  };
});

console.log(`per-layer step time, batch ${batch}, native ${addon.isa()}, ReLU everywhere`);
for (const threads of threadCounts) {
  addon.setThreads(threads);
  let fwdTotal = 0;
  let bwdTotal = 0;
  const rows: string[] = [];
  for (const L of layers) {
    const fwd = micros(() => addon.fusedDense(L.x, L.w, L.b, L.y, batch, L.inF, L.out, ACT.relu));
    const bwd = micros(() => addon.fusedDenseGrad(L.dy, L.x, L.w, L.y, L.dx, L.dw, L.db, batch, L.inF, L.out, ACT.relu));
    fwdTotal += fwd;
    bwdTotal += bwd;
    const flop = 2 * batch * L.inF * L.out;
    rows.push(`  ${`${L.inF}→${L.out}`.padEnd(10)} forward ${fwd.toFixed(1).padStart(8)} µs ${(flop / fwd / 1e3).toFixed(0).padStart(4)} GFLOP/s   ` +
      `backward ${bwd.toFixed(1).padStart(8)} µs ${((L.first ? 1 : 2) * flop / bwd / 1e3).toFixed(0).padStart(4)} GFLOP/s`);
  }
  console.log(`${threads} thread${threads > 1 ? 's' : ''}: forward ${fwdTotal.toFixed(0)} µs, backward ${bwdTotal.toFixed(0)} µs, total ${(fwdTotal + bwdTotal).toFixed(0)} µs`);
  console.log(rows.join('\n'));
}
