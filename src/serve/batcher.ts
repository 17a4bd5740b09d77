/**
 * Micro-batching: requests for the same model and operation that arrive within a window (in
 * microseconds, measured from the first) run as one batch, so many small concurrent requests cost
 * one pass through the network instead of one each. A window of 0 still gathers every request
 * whose bytes arrived in the same turn of the event loop (the flush runs in the check phase, after
 * the poll phase has read every ready socket). A batch also runs as soon as it holds `maxRows`.
 */
import type { Labels } from '../models/index.js';

export interface BatchItem {
  rows: Float32Array;
  n: number;
  labels: Labels | null;
  resolve(out: Float32Array): void;
  reject(err: Error): void;
}

export interface BatcherOptions {
  windowUs: number;
  maxRows: number;
  /** Called with each batch's row count (for the metrics). */
  onBatch?: (rows: number) => void;
}

/** Runs one batch: n rows (row-major) and their labels → n × outWidth values. */
export type BatchFn = (rows: Float32Array, n: number, labels: Labels | null) => Float32Array;

class Queue {
  items: BatchItem[] = [];
  rows = 0;
  deadline = 0n;
  scheduled = false;
  constructor(readonly run: BatchFn, readonly inWidth: number, readonly outWidth: number) {}
}

export class Batcher {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly o: BatcherOptions) {}

  /** Queue n rows under `key` (model and operation); resolves with this request's outputs. */
  submit(key: string, run: BatchFn, inWidth: number, outWidth: number, rows: Float32Array, n: number, labels: Labels | null): Promise<Float32Array> {
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = new Queue(run, inWidth, outWidth)));
    const queue = q;
    return new Promise<Float32Array>((resolve, reject) => {
      if (queue.items.length === 0) queue.deadline = process.hrtime.bigint() + BigInt(Math.round(this.o.windowUs * 1000));
      queue.items.push({ rows, n, labels, resolve, reject });
      queue.rows += n;
      if (queue.rows >= this.o.maxRows) this.flush(queue);
      else this.schedule(queue);
    });
  }

  private schedule(q: Queue): void {
    if (q.scheduled) return;
    q.scheduled = true;
    const wait = (): void => {
      const left = q.deadline - process.hrtime.bigint();
      if (left <= 0n || q.items.length === 0) {
        q.scheduled = false;
        if (q.items.length) this.flush(q);
        return;
      }
      // Sub-millisecond waits turn the loop over (timers are whole milliseconds); longer ones sleep.
      if (left < 1_500_000n) setImmediate(wait);
      else setTimeout(wait, Number(left / 1_000_000n) - 1);
    };
    setImmediate(wait);
  }

  private flush(q: Queue): void {
    const items = q.items;
    const n = q.rows;
    q.items = [];
    q.rows = 0;
    let rows: Float32Array;
    let labels: Labels | null = null;
    if (items.length === 1) {
      rows = items[0]!.rows;
      labels = items[0]!.labels;
    } else {
      rows = new Float32Array(n * q.inWidth);
      let o = 0;
      for (const it of items) {
        rows.set(it.rows, o * q.inWidth);
        o += it.n;
      }
      if (items[0]!.labels) {
        labels = new Int32Array(n);
        o = 0;
        for (const it of items) {
          labels.set(it.labels ?? new Int32Array(it.n), o);
          o += it.n;
        }
      }
    }
    this.o.onBatch?.(n);
    let out: Float32Array;
    try {
      out = q.run(rows, n, labels);
    } catch (err) {
      for (const it of items) it.reject(err as Error);
      return;
    }
    let o = 0;
    for (const it of items) {
      it.resolve(out.subarray(o * q.outWidth, (o + it.n) * q.outWidth));
      o += it.n;
    }
  }
}
