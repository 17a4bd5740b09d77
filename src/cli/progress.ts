/**
 * Progress display for training. On a terminal: one live bar per epoch with loss, samples/s and
 * ETA, redrawn at most 10 times a second. Otherwise: one plain line per epoch.
 */
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
