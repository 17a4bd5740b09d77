/**
 * A local study: sample parameters, run up to `parallel` trials at once as child processes, prune
 * from per-epoch values, keep everything in STUDY_DIR/study.db, and write the results. A resumed
 * study re-runs the trials that were running when it was killed and never repeats finished ones.
 */
import { join } from 'node:path';
import { registerBuiltinModels } from '../models/index.js';
import { mergeConfig, parseRunConfig, type RunConfig } from '../train/config.js';
import { UsageError } from '../util/errors.js';
import { shouldPrune, type PrunerName } from './pruner.js';
import { makeSampler, type Observation, type SamplerName } from './sampler.js';
import { toOverrides, type Params, type Space } from './space.js';
import { StudyStore, type TrialRecord } from './store.js';
import { runTrialProcess, type TrialOutcome } from './trial-process.js';

export interface Objective { metric: string; direction: 'minimize' | 'maximize' }

export interface StudySettings {
  space: Space;
  /** The config every trial starts from (train flags, preset, --config), before the trial's parameters. */
  base: Record<string, unknown>;
  sampler: SamplerName;
  pruner: PrunerName;
  objective: Objective;
  trials: number;
  /** Wall-time budget in seconds (0: none): no trial starts after it. */
  timeout: number;
  seed: number;
}

export interface StudyEvents {
  onTrialStart?: (n: number, params: Params) => void;
  onTrialEnd?: (t: TrialRecord) => void;
}

/** Lower is better for samplers and pruners. */
export const lossOf = (o: Objective, v: number): number => (o.direction === 'minimize' ? v : -v);

export function trialConfig(s: StudySettings, params: Params, threads: number): RunConfig {
  registerBuiltinModels();
  const merged = mergeConfig(s.base, toOverrides(params)) as { train?: Record<string, unknown> };
  if (threads > 0) merged.train = { ...merged.train, threads };
  return parseRunConfig(merged);
}

export function observations(s: StudySettings, trials: readonly TrialRecord[]): Observation[] {
  return trials.filter((t) => t.value !== null && (t.state === 'complete' || t.state === 'pruned')).map((t) => ({ params: t.params, loss: lossOf(s.objective, t.value!) }));
}

export async function runStudy(dir: string, store: StudyStore, s: StudySettings, o: { parallel: number; threads: number; signal?: AbortSignal } & StudyEvents): Promise<TrialRecord[]> {
  const sampler = makeSampler(s.sampler, s.space, s.seed);
  const budget = sampler.size === null ? s.trials : Math.min(s.trials, sampler.size);
  const deadline = s.timeout > 0 ? Date.now() + s.timeout * 1000 : Infinity;
  const redo = store.trials().filter((t) => t.state === 'running');
  let next = store.trials().length;
  const running = new Set<Promise<void>>();
  const startOne = (n: number, params: Params): void => {
    o.onTrialStart?.(n, params);
    const p = runTrial(dir, store, s, n, params, o.threads, o.signal).then((t) => {
      running.delete(p);
      o.onTrialEnd?.(t);
    });
    running.add(p);
  };
  while (!o.signal?.aborted) {
    while (running.size < o.parallel && Date.now() < deadline && !o.signal?.aborted) {
      const again = redo.shift();
      if (again) { startOne(again.number, again.params); continue; }
      if (next >= budget) break;
      const params = sampler.suggest(next, observations(s, store.trials()));
      if (params === null) break;
      store.addTrial(next, params);
      startOne(next++, params);
    }
    if (!running.size) break;
    await Promise.race(running);
  }
  await Promise.all(running);
  return store.trials();
}

async function runTrial(dir: string, store: StudyStore, s: StudySettings, n: number, params: Params, threads: number, signal?: AbortSignal): Promise<TrialRecord> {
  const started = Date.now();
  let outcome: TrialOutcome;
  try {
    const config = trialConfig(s, params, threads);
    outcome = await runTrialProcess({
      config, outDir: join(dir, 'trials', `trial-${String(n).padStart(4, '0')}`), ...(signal ? { signal } : {}),
      onEpoch: (epoch, metrics) => {
        const v = metrics[s.objective.metric];
        if (v === undefined || s.pruner === 'none') return false;
        const all = store.report(n, epoch, lossOf(s.objective, v));
        return shouldPrune(s.pruner, n, epoch + 1, lossOf(s.objective, v), all); // epochs done; events count from 0
      },
    });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    outcome = { status: 'failed', metrics: {}, epochs: 0, error: err.message };
  }
  if (signal?.aborted) return { number: n, params, state: 'running', value: null, metrics: {}, epochs: 0, seconds: 0, error: null };
  const value = outcome.metrics[s.objective.metric] ?? null;
  const rec = { state: outcome.status, value, metrics: outcome.metrics, epochs: outcome.epochs, seconds: (Date.now() - started) / 1000, error: outcome.error };
  store.finishTrial(n, rec);
  return { number: n, params, ...rec };
}
