/**
 * The tuning issue's quality check: a TPE study on MNIST over learning rate, batch size, depth, width
 * and activation, each trial with a small budget, against the default preset trained with the same
 * budget. Prints both validation losses and the study's wall time (a quality run: run it under nice).
 *   node dist/bench/tune-mnist.js [--trials 30] [--epochs 2] [--out DIR] [-- extra train flags]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SPACE = {
  'optimizer.lr': { type: 'float', low: 1e-4, high: 1e-2, log: true },
  'train.batchSize': { type: 'choice', values: [32, 64, 128, 256, 512] },
  depth: { type: 'int', low: 1, high: 3 },
  'model.hidden[0]': { type: 'int', low: 32, high: 512, log: true },
  'model.hidden[1]': { type: 'int', low: 16, high: 256, log: true, when: { depth: { min: 2 } } },
  'model.hidden[2]': { type: 'int', low: 16, high: 256, log: true, when: { depth: { min: 3 } } },
  'model.activation': { type: 'choice', values: ['relu', 'tanh', 'sigmoid', 'gelu'] },
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
}

function aekit(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`aekit ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const dir = arg('out', mkdtempSync(join(tmpdir(), 'aekit-tune-mnist-')));
const extra = process.argv.includes('--') ? process.argv.slice(process.argv.indexOf('--') + 1) : [];
const budget = ['--epochs', arg('epochs', '2'), ...extra];
writeFileSync(join(dir, 'space.json'), JSON.stringify(SPACE, null, 1));

let t0 = performance.now();
const preset = JSON.parse(aekit(['train', ...budget, '--out', join(dir, 'default'), '--json'])) as { valLoss: number };
const presetSeconds = (performance.now() - t0) / 1000;

t0 = performance.now();
const study = JSON.parse(aekit(['tune', '--space', join(dir, 'space.json'), '--trials', arg('trials', '30'), '--out', join(dir, 'study'), '--json', ...budget])) as {
  counts: Record<string, number>; best: { number: number; value: number; params: Record<string, unknown> } | null;
};
const studySeconds = (performance.now() - t0) / 1000;
const bestConfig = JSON.parse(readFileSync(join(dir, 'study', 'best-config.json'), 'utf8')) as unknown;

console.log(`budget per trial: ${budget.join(' ')}; study in ${join(dir, 'study')}`);
console.log(`default preset: val.loss ${preset.valLoss.toFixed(5)} (${presetSeconds.toFixed(1)} s)`);
console.log(`TPE study: ${JSON.stringify(study.counts)} in ${studySeconds.toFixed(1)} s; best trial ${study.best?.number} val.loss ${study.best?.value.toFixed(5)} ${JSON.stringify(study.best?.params)}`);
console.log(`best / default: ${study.best ? (study.best.value / preset.valLoss).toFixed(3) : 'n/a'}`);
console.log(`best config: ${JSON.stringify(bestConfig)}`);
