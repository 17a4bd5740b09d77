// A pool of threads over shared memory. Thread 0 is the caller; threads 1… are workers that sit in
// `workerLoop`. A job is published in a control block (a sequence number that workers wait on, a
// count of workers still busy, a task counter they claim from, the thread count, the scratch
// address, the GEMM's arguments); the caller
// runs tasks too and then spins until the workers are done (the browser's main thread may not block).
import { MR, NR, SCRATCH_BYTES, gemmRect } from './gemm';
import { adamUpdate as adamRange } from './optim';

const SEQ = 0, PENDING = 4, NEXT = 8, TASKS = 12, ROWS_PER = 16, COLS_PER = 20, COL_TASKS = 24, THREADS = 28, SCRATCH = 32, READY = 36, MASK = 40, JOB = 44, ARGS = 48;
/** Job kinds: a GEMM over tiles of C, or an Adam update over ranges of the parameter vector. */
const JOB_GEMM = 0, JOB_ADAM = 1;
/** Control block bytes (the caller allocates them). */
export const CONTROL_BYTES: usize = 128; // ARGS + 60 bytes of Adam's arguments at most

let control: usize = 0;

/** Every instance (the caller's and each worker's) is told where the control block lives. */
export function setup(ctrl: usize): void {
  control = ctrl;
}

/** Threads taking part from the next job on, and the scratch (threads × scratchBytes()) they use. */
export function setThreads(threads: i32, scratch: usize): void {
  store<u32>(control + SCRATCH, <u32>scratch);
  atomic.store<i32>(control + THREADS, threads);
}

export function scratchBytes(): usize {
  return SCRATCH_BYTES;
}

function scratchOf(id: i32): usize {
  return <usize>load<u32>(control + SCRATCH) + <usize>id * SCRATCH_BYTES;
}

/** Run the tasks of the published job until none is left. */
function runTasks(id: i32): void {
  if (load<i32>(control + JOB) == JOB_ADAM) runAdamTasks();
  else runGemmTasks(id);
}

function runGemmTasks(id: i32): void {
  const ctl = control;
  const tasks = atomic.load<i32>(ctl + TASKS);
  const rowsPer = <usize>load<i32>(ctl + ROWS_PER), colsPer = <usize>load<i32>(ctl + COLS_PER), colTasks = load<i32>(ctl + COL_TASKS);
  const transA = load<i32>(ctl + ARGS) != 0, transB = load<i32>(ctl + ARGS + 4) != 0;
  const m = <usize>load<i32>(ctl + ARGS + 8), n = <usize>load<i32>(ctl + ARGS + 12), k = <usize>load<i32>(ctl + ARGS + 16);
  const a = <usize>load<u32>(ctl + ARGS + 20), b = <usize>load<u32>(ctl + ARGS + 24), c = <usize>load<u32>(ctl + ARGS + 28);
  const bias = <usize>load<u32>(ctl + ARGS + 32), act = load<i32>(ctl + ARGS + 36);
  const scratch = scratchOf(id);
  for (;;) {
    const t = atomic.add<i32>(ctl + NEXT, 1);
    if (t >= tasks) break;
    const ti = <usize>(t / colTasks), tj = <usize>(t % colTasks);
    const i0 = ti * rowsPer, j0 = tj * colsPer;
    gemmRect(transA, transB, m, n, k, a, b, c, bias, act, i0, min<usize>(m, i0 + rowsPer), j0, min<usize>(n, j0 + colsPer), scratch);
  }
}

/**
 * A worker's life: announce itself, wait for a new sequence number, run the job's tasks if the job
 * counts on it, report done; spins briefly before sleeping. Workers start asynchronously (in Node a
 * worker even needs the main thread's event loop to boot), so a job counts only on the workers
 * that had announced themselves when it was published.
 */
export function workerLoop(id: i32): void {
  let seen = atomic.load<i32>(control + SEQ);
  atomic.or<i32>(control + READY, 1 << id);
  for (;;) {
    let spins = 0;
    while (atomic.load<i32>(control + SEQ) == seen) {
      if (++spins > 20000) {
        atomic.wait<i32>(control + SEQ, seen);
        spins = 0;
      }
    }
    seen = atomic.load<i32>(control + SEQ);
    if (atomic.load<i32>(control + MASK) & (1 << id)) {
      runTasks(id);
      atomic.sub<i32>(control + PENDING, 1);
    }
  }
}

/** GEMMs below this many multiply-adds run on the calling thread alone (waking a worker costs more). */
const PARALLEL_MIN: usize = 1 << 20;

// @ts-ignore: decorator
@inline function roundUp(x: usize, to: usize): usize {
  return ((x + to - 1) / to) * to;
}

/** C = act(op(A)·op(B) + bias) (bias 0: none; act 0: linear and no epilogue cost beyond a store). */
export function gemm(transA: i32, transB: i32, m: usize, n: usize, k: usize, a: usize, b: usize, c: usize, bias: usize, act: i32): void {
  if (m == 0 || n == 0) return;
  const mask = workerMask();
  const threads = <usize>(1 + popcnt<i32>(mask));
  if (threads <= 1 || m * n * max<usize>(k, 1) < PARALLEL_MIN) {
    gemmRect(transA != 0, transB != 0, m, n, k, a, b, c, bias, act, 0, m, 0, n, scratchOf(0));
    return;
  }
  // About four tasks per thread, as column strips where n allows (each packs A once), else rows too.
  const want = threads * 4;
  const colTasks = min<usize>(want, max<usize>(1, n / (NR * 8)));
  const colsPer = roundUp((n + colTasks - 1) / colTasks, NR);
  const cols = (n + colsPer - 1) / colsPer;
  const rowTasks = min<usize>(max<usize>(1, want / cols), max<usize>(1, m / (MR * 8)));
  const rowsPer = roundUp((m + rowTasks - 1) / rowTasks, MR);
  const rows = (m + rowsPer - 1) / rowsPer;
  const ctl = control;
  store<i32>(ctl + ARGS, transA);
  store<i32>(ctl + ARGS + 4, transB);
  store<i32>(ctl + ARGS + 8, <i32>m);
  store<i32>(ctl + ARGS + 12, <i32>n);
  store<i32>(ctl + ARGS + 16, <i32>k);
  store<u32>(ctl + ARGS + 20, <u32>a);
  store<u32>(ctl + ARGS + 24, <u32>b);
  store<u32>(ctl + ARGS + 28, <u32>c);
  store<u32>(ctl + ARGS + 32, <u32>bias);
  store<i32>(ctl + ARGS + 36, act);
  store<i32>(ctl + ROWS_PER, <i32>rowsPer);
  store<i32>(ctl + COLS_PER, <i32>colsPer);
  store<i32>(ctl + COL_TASKS, <i32>cols);
  store<i32>(ctl + JOB, JOB_GEMM);
  runJob(<i32>(rows * cols), mask, threads);
}

/** Publish the job whose arguments are stored, take part in it, and wait for the workers in `mask`. */
function runJob(tasks: i32, mask: i32, threads: usize): void {
  const ctl = control;
  atomic.store<i32>(ctl + TASKS, tasks);
  atomic.store<i32>(ctl + NEXT, 0);
  atomic.store<i32>(ctl + MASK, mask);
  atomic.store<i32>(ctl + PENDING, <i32>threads - 1);
  atomic.add<i32>(ctl + SEQ, 1);
  atomic.notify(ctl + SEQ, <i32>threads - 1);
  runTasks(0);
  while (atomic.load<i32>(ctl + PENDING) != 0) {}
}

/** Ready workers with an id below the thread count (setThreads can lower it; 32 threads at most). */
function workerMask(): i32 {
  const wanted = atomic.load<i32>(control + THREADS);
  return atomic.load<i32>(control + READY) & (wanted >= 32 ? -1 : (1 << wanted) - 1) & ~1;
}

/** Adam updates below this many parameters run on the calling thread alone. */
const ADAM_PARALLEL_MIN: usize = 1 << 16;
/** Parameters per Adam task: a multiple of 4, so every task but the last runs whole vectors. */
const ADAM_CHUNK: usize = 1 << 14;

/**
 * Adam (see optim.ts) over the parameter vector, in chunks shared by the threads. Elementwise, so the
 * result is the same whatever the thread count.
 */
export function adamUpdate(p: usize, g: usize, m: usize, v: usize, n: usize, beta1: f32, beta1c: f32, beta2: f32, beta2c: f32, eps: f32, weightDecay: f32, decoupled: i32, shrinkBy: f32, stepSize: f32, bc2Sqrt: f32): void {
  const mask = workerMask();
  const threads = <usize>(1 + popcnt<i32>(mask));
  if (threads <= 1 || n < ADAM_PARALLEL_MIN) {
    adamRange(p, g, m, v, n, beta1, beta1c, beta2, beta2c, eps, weightDecay, decoupled, shrinkBy, stepSize, bc2Sqrt);
    return;
  }
  const ctl = control;
  store<u32>(ctl + ARGS, <u32>p);
  store<u32>(ctl + ARGS + 4, <u32>g);
  store<u32>(ctl + ARGS + 8, <u32>m);
  store<u32>(ctl + ARGS + 12, <u32>v);
  store<u32>(ctl + ARGS + 16, <u32>n);
  store<f32>(ctl + ARGS + 20, beta1);
  store<f32>(ctl + ARGS + 24, beta1c);
  store<f32>(ctl + ARGS + 28, beta2);
  store<f32>(ctl + ARGS + 32, beta2c);
  store<f32>(ctl + ARGS + 36, eps);
  store<f32>(ctl + ARGS + 40, weightDecay);
  store<i32>(ctl + ARGS + 44, decoupled);
  store<f32>(ctl + ARGS + 48, shrinkBy);
  store<f32>(ctl + ARGS + 52, stepSize);
  store<f32>(ctl + ARGS + 56, bc2Sqrt);
  store<i32>(ctl + JOB, JOB_ADAM);
  runJob(<i32>((n + ADAM_CHUNK - 1) / ADAM_CHUNK), mask, threads);
}

function runAdamTasks(): void {
  const ctl = control;
  const tasks = atomic.load<i32>(ctl + TASKS);
  const p = <usize>load<u32>(ctl + ARGS), g = <usize>load<u32>(ctl + ARGS + 4), m = <usize>load<u32>(ctl + ARGS + 8), v = <usize>load<u32>(ctl + ARGS + 12);
  const n = <usize>load<u32>(ctl + ARGS + 16);
  const beta1 = load<f32>(ctl + ARGS + 20), beta1c = load<f32>(ctl + ARGS + 24), beta2 = load<f32>(ctl + ARGS + 28), beta2c = load<f32>(ctl + ARGS + 32);
  const eps = load<f32>(ctl + ARGS + 36), wd = load<f32>(ctl + ARGS + 40), decoupled = load<i32>(ctl + ARGS + 44);
  const shrink = load<f32>(ctl + ARGS + 48), stepSize = load<f32>(ctl + ARGS + 52), bc2 = load<f32>(ctl + ARGS + 56);
  for (;;) {
    const t = atomic.add<i32>(ctl + NEXT, 1);
    if (t >= tasks) break;
    const i0 = <usize>t * ADAM_CHUNK;
    const len = min<usize>(ADAM_CHUNK, n - i0);
    adamRange(p + i0 * 4, g + i0 * 4, m + i0 * 4, v + i0 * 4, len, beta1, beta1c, beta2, beta2c, eps, wd, decoupled, shrink, stepSize, bc2);
  }
}
