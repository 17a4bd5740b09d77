/** Runs one trial as a child process (trial-child.ts) and relays its epochs and outcome. */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../train/config.js';
import type { TrainEvent } from '../train/events.js';

export type ParentMessage = { type: 'start'; config: RunConfig; outDir: string; resume: boolean } | { type: 'prune' };
export type TrialStatus = 'complete' | 'pruned' | 'failed';
export type ChildMessage =
  | { type: 'epoch'; epoch: number; metrics: Record<string, number> }
  | { type: 'done'; status: TrialStatus; metrics: Record<string, number>; epochs: number; seconds: number; error?: string };

export interface TrialOutcome { status: TrialStatus; metrics: Record<string, number>; epochs: number; error: string | null }

/** The metrics of an epoch_end event by name: 'val.loss', 'train.loss', 'val.<term>', 'train.<term>'. */
export function epochMetrics(e: Extract<TrainEvent, { type: 'epoch_end' }>): Record<string, number> {
  const out: Record<string, number> = { 'train.loss': e.trainLoss };
  if (e.valLoss !== null) out['val.loss'] = e.valLoss;
  for (const [k, v] of Object.entries(e.terms)) out[`train.${k}`] = v;
  for (const [k, v] of Object.entries(e.valTerms ?? {})) out[`val.${k}`] = v;
  return out;
}

export interface TrialRun {
  config: RunConfig;
  outDir: string;
  /** Called after each epoch; resolve true to prune the trial. */
  onEpoch: (epoch: number, metrics: Record<string, number>) => Promise<boolean> | boolean;
  signal?: AbortSignal;
}

export function runTrialProcess(t: TrialRun): Promise<TrialOutcome> {
  const child = fork(new URL('./trial-child.js', import.meta.url), [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  const kill = (): void => { child.kill('SIGKILL'); };
  t.signal?.addEventListener('abort', kill, { once: true });
  return new Promise((resolve) => {
    let done: TrialOutcome | null = null;
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'done') done = { status: m.status, metrics: m.metrics, epochs: m.epochs, error: m.error ?? null };
      else void Promise.resolve(t.onEpoch(m.epoch, m.metrics)).then((prune) => {
        if (prune && child.connected) child.send({ type: 'prune' } satisfies ParentMessage);
      });
    });
    child.on('exit', (code, sig) => {
      t.signal?.removeEventListener('abort', kill);
      resolve(done ?? { status: 'failed', metrics: {}, epochs: 0, error: `trial process ended (${sig ?? `exit ${code}`})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}` });
    });
    const resume = existsSync(join(t.outDir, 'run.json'));
    child.send({ type: 'start', config: t.config, outDir: t.outDir, resume } satisfies ParentMessage);
  });
}
