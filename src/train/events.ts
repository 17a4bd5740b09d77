/**
 * The training event stream. The CLI progress bar, events.jsonl, the server's live stream and the
 * studio all read these same typed events.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type Metrics = Record<string, number>;

export type TrainEvent =
  | { type: 'run_start'; time: string; backend: string; parameters: number; trainSize: number; valSize: number; epochs: number; stepsPerEpoch: number; batchSize: number; resumedFromEpoch: number | null }
  | { type: 'step'; epoch: number; step: number; batch: number; batches: number; loss: number; lr: number }
  | { type: 'epoch_end'; epoch: number; epochs: number; trainLoss: number; valLoss: number | null; terms: Metrics; valTerms: Metrics | null; lr: number; seconds: number; samplesPerSec: number }
  | { type: 'checkpoint'; epoch: number; dir: string }
  | { type: 'early_stop'; epoch: number; bestEpoch: number; bestValLoss: number }
  /** Something about the run a person should look at; training goes on. Emitted once per kind (`code`) per run. */
  | { type: 'warning'; epoch: number; code: 'posterior_collapse'; message: string }
  | { type: 'evaluation_start'; split: string; samples: number }
  | { type: 'evaluation'; split: string; metrics: Metrics }
  | { type: 'stopped'; epochsDone: number; reason: string }
  | { type: 'run_end'; status: 'completed' | 'early_stopped' | 'stopped' | 'failed'; epochs: number; wallSeconds: number; samplesPerSec: number; error?: string };

export type EventSink = (e: TrainEvent) => void;

/** Fan one stream out to several sinks. */
export function fanOut(...sinks: EventSink[]): EventSink {
  return (e) => {
    for (const s of sinks) s(e);
  };
}

/**
 * Appends events as JSON lines. Step events are buffered and flushed with the next other event
 * (at least once per epoch), so logging never dominates a fast training step.
 */
export class JsonlSink {
  private fd: number;
  private buffer: string[] = [];

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  readonly write: EventSink = (e) => {
    this.buffer.push(JSON.stringify(e));
    if (e.type !== 'step' || this.buffer.length >= 512) this.flush(e.type === 'checkpoint' || e.type === 'run_end');
  };

  flush(durable = false): void {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    writeSync(this.fd, text);
    if (durable) fsyncSync(this.fd);
  }

  close(): void {
    this.flush(true);
    closeSync(this.fd);
  }
}
