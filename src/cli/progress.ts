/**
 * Progress display for training and for application work. On a terminal: one live bar per epoch with loss, samples/s and
 * ETA, redrawn at most 10 times a second. Otherwise: one plain line per epoch.
 */
import type { ProgressSink } from '../apps/progress.js';
import type { EventSink, TrainEvent } from '../train/events.js';

export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  tty: boolean;
}

export function progressSink({ stream, tty }: ProgressOptions): EventSink {
  let epochStart = 0;
  let lastDraw = 0;
  let totalEpochs = 0;
  let batchSize = 0;
  const write = (s: string): boolean => stream.write(s);
  return (e: TrainEvent) => {
    switch (e.type) {
      case 'run_start':
        totalEpochs = e.epochs;
        batchSize = e.batchSize;
        write(`training on ${e.trainSize} samples (validation ${e.valSize}), ${e.parameters.toLocaleString('en-US')} parameters, backend ${e.backend}` +
          (e.resumedFromEpoch !== null ? `, resuming after epoch ${e.resumedFromEpoch}` : '') + '\n');
        epochStart = performance.now();
        break;
      case 'step': {
        if (e.batch === 1) epochStart = performance.now();
        if (!tty) break;
        const now = performance.now();
        if (now - lastDraw < 100 && e.batch !== e.batches) break;
        lastDraw = now;
        const secs = (now - epochStart) / 1000;
        const rate = (e.batch * batchSize) / Math.max(secs, 1e-9);
        const eta = ((e.batches - e.batch) * secs) / e.batch;
        write(`\r\x1b[2Kepoch ${e.epoch + 1}/${totalEpochs} ${bar(e.batch / e.batches, 24)} ${e.batch}/${e.batches} loss ${e.loss.toFixed(4)} ${fmtRate(rate)} samples/s ETA ${fmtTime(eta)}`);
        break;
      }
      case 'epoch_end':
        write(`${tty ? '\r\x1b[2K' : ''}epoch ${e.epoch + 1}/${e.epochs}  train ${e.trainLoss.toFixed(5)}` +
          (e.valLoss !== null ? `  val ${e.valLoss.toFixed(5)}` : '') + `  lr ${e.lr.toExponential(2)}  ${fmtRate(e.samplesPerSec)} samples/s  ${e.seconds.toFixed(1)}s\n`);
        break;
      case 'early_stop':
        write(`early stopping after epoch ${e.epoch + 1}: best validation loss ${e.bestValLoss.toFixed(5)} at epoch ${e.bestEpoch + 1}\n`);
        break;
      case 'warning':
        write(`${tty ? '\r\x1b[2K' : ''}warning: ${e.message}\n`);
        break;
      case 'evaluation_start':
        write(`evaluating on ${e.samples.toLocaleString('en-US')} ${e.split} samples…\n`);
        break;
      default:
        break;
    }
  };
}

function bar(frac: number, width: number): string {
  const full = Math.round(frac * width);
  return '[' + '='.repeat(Math.max(0, full - 1)) + (full > 0 ? '>' : '') + ' '.repeat(width - full) + ']';
}

export function fmtRate(r: number): string {
  return Math.round(r).toLocaleString('en-US');
}

export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  const sec = Math.round(s % 60);
  return `${m}:${String(sec).padStart(2, '0')}`;
}

/**
 * Progress of application work (`apps/progress.ts`): on a terminal a live bar for the current
 * stage, redrawn at most 10 times a second; otherwise one line as each stage that took a second
 * or more finishes.
 */
export function taskProgress({ stream, tty }: ProgressOptions): ProgressSink {
  let stage = '';
  let start = 0;
  let lastDraw = 0;
  return (p) => {
    const now = performance.now();
    if (p.stage !== stage) [stage, start, lastDraw] = [p.stage, now, 0];
    const finished = p.done >= p.total;
    const secs = (now - start) / 1000;
    const count = p.total > 1 ? `${p.total.toLocaleString('en-US')} ` : '';
    if (tty) {
      if (!finished && now - lastDraw < 100) return;
      lastDraw = now;
      // A finished stage keeps its line only when it took long enough to be worth reading.
      if (finished) stream.write(`\r\x1b[2K${secs >= 1 ? `${stage}: ${count}done in ${secs.toFixed(1)}s\n` : ''}`);
      else stream.write(`\r\x1b[2K${stage} ${bar(p.done / Math.max(p.total, 1), 24)} ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')}`);
    } else if (finished && secs >= 1) stream.write(`${stage}: ${count}done in ${secs.toFixed(1)}s\n`);
  };
}

/** The progress sink of a command: none with --quiet, else on stderr (stdout stays for results and --json). */
export function commandProgress(quiet: boolean, err: NodeJS.WriteStream): ProgressSink | undefined {
  return quiet ? undefined : taskProgress({ stream: err, tty: err.isTTY === true });
}
