/**
 * One trial in its own process (so each has its own native thread pool): receives the run config
 * over IPC, trains, reports every epoch's metrics and the outcome, and stops at the parent's
 * 'prune' message (the run ends at its last checkpoint).
 */
import { runSession } from '../train/session.js';
import type { RunConfig } from '../train/config.js';
import type { TrainEvent } from '../train/events.js';
import { epochMetrics, type ChildMessage, type ParentMessage } from './trial-process.js';

async function main(config: RunConfig, outDir: string, resume: boolean): Promise<void> {
  const stop = new AbortController();
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'prune') stop.abort(new Error('pruned'));
  });
  const send = (m: ChildMessage) => process.send!(m);
  const final: Record<string, number> = {};
  const onEvent = (e: TrainEvent): void => {
    if (e.type === 'epoch_end') {
      const metrics = epochMetrics(e);
      Object.assign(final, metrics);
      send({ type: 'epoch', epoch: e.epoch, metrics });
    } else if (e.type === 'evaluation') {
      for (const [k, v] of Object.entries(e.metrics)) final[`${e.split}.${k}`] = v;
    }
  };
  try {
    const r = await runSession({ config, outDir, resume, onEvent, signal: stop.signal });
    send({ type: 'done', status: r.train.status === 'stopped' ? 'pruned' : 'complete', metrics: final, epochs: r.train.state.epochsDone, seconds: r.train.wallSeconds });
  } catch (err) {
    send({ type: 'done', status: 'failed', metrics: final, epochs: 0, seconds: 0, error: (err as Error).message });
  }
}

// The parent (a study or a worker) died: stop rather than train for nobody.
process.on('disconnect', () => process.exit(1));
process.once('message', (m: ParentMessage) => {
  if (m.type !== 'start') return;
  main(m.config, m.outDir, m.resume).then(
    () => {
      process.removeAllListeners('disconnect');
      process.disconnect();
    },
    (err: unknown) => {
      process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
      process.exit(1);
    },
  );
});
