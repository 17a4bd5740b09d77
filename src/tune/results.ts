/** A study's results: trials.csv, trials.json, best-config.json and three PNGs. */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { Canvas } from '../util/canvas.js';
import { drawText } from '../util/font.js';
import { lineChart, PALETTE } from '../util/plot.js';
import { lossOf, trialConfig, type StudySettings } from './study.js';
import type { Param, Value } from './space.js';
import type { TrialRecord } from './store.js';

export function bestTrial(s: StudySettings, trials: readonly TrialRecord[]): TrialRecord | null {
  const done = trials.filter((t) => t.state === 'complete' && t.value !== null && Number.isFinite(t.value));
  return done.reduce<TrialRecord | null>((b, t) => (b === null || lossOf(s.objective, t.value!) < lossOf(s.objective, b.value!) ? t : b), null);
}

export function writeResults(dir: string, s: StudySettings, trials: readonly TrialRecord[]): { best: TrialRecord | null; files: string[] } {
  const names = s.space.map((p) => p.name);
  const csvCell = (v: unknown): string => (v === undefined || v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const rows = [['number', 'state', s.objective.metric, 'epochs', 'seconds', ...names].join(',')];
  for (const t of trials) rows.push([t.number, t.state, t.value, t.epochs, t.seconds.toFixed(2), ...names.map((n) => t.params[n])].map(csvCell).join(','));
  writeFileAtomic(join(dir, 'trials.csv'), rows.join('\n') + '\n');
  const best = bestTrial(s, trials);
  const importances = parameterImportances(s, trials);
  writeJsonAtomic(join(dir, 'trials.json'), { objective: s.objective, sampler: s.sampler, pruner: s.pruner, best: best?.number ?? null, importances, trials });
  const files = ['trials.csv', 'trials.json'];
  if (best) {
    const { train, ...rest } = trialConfig(s, best.params, 0);
    writeJsonAtomic(join(dir, 'best-config.json'), { ...rest, train: { ...train, threads: 0 } });
    files.push('best-config.json');
  }
  const scored = trials.filter((t) => t.value !== null && Number.isFinite(t.value));
  if (scored.length) {
    writeFileAtomic(join(dir, 'history.png'), historyChart(s, scored));
    writeFileAtomic(join(dir, 'parallel-coordinates.png'), parallelCoordinates(s, scored));
    writeFileAtomic(join(dir, 'importances.png'), barChart('parameter importance (|Spearman ρ| with the objective)', importances));
    files.push('history.png', 'parallel-coordinates.png', 'importances.png');
  }
  return { best, files };
}

function historyChart(s: StudySettings, trials: readonly TrialRecord[]): Uint8Array {
  const x = trials.map((t) => t.number);
  const y = trials.map((t) => t.value!);
  let best = Infinity;
  const bestSoFar = y.map((v) => (best = Math.min(best, lossOf(s.objective, v)))).map((v) => lossOf(s.objective, v));
  return lineChart({ title: 'optimisation history', xLabel: 'trial', yLabel: s.objective.metric, series: [{ name: 'trial', x, y }, { name: 'best so far', x, y: bestSoFar }] });
}

/** Position of a value on its parameter's axis in [0, 1] (log axis for log ranges, index for choices). */
function axisPosition(p: Param, v: Value | undefined): number {
  if (v === undefined) return NaN;
  if (p.type === 'choice') return p.values.length < 2 ? 0.5 : p.values.indexOf(v) / (p.values.length - 1);
  const t = (x: number) => (p.log ? Math.log(x) : x);
  return p.high === p.low ? 0.5 : (t(v as number) - t(p.low)) / (t(p.high) - t(p.low));
}

function parallelCoordinates(s: StudySettings, trials: readonly TrialRecord[]): Uint8Array {
  const sorted = [...trials].sort((a, b) => lossOf(s.objective, a.value!) - lossOf(s.objective, b.value!));
  const axes = s.space.map((_, i) => i);
  const series = sorted.slice(0, 8).map((t, i) => ({ name: `#${t.number}: ${t.value!.toPrecision(4)}`, x: axes, y: s.space.map((p) => axisPosition(p, t.params[p.name])), color: PALETTE[i % PALETTE.length]! }));
  return lineChart({ title: `parallel coordinates, best ${series.length} trials (axes: ${s.space.map((p) => p.name).join(', ')})`, xLabel: 'parameter', yLabel: 'position in range (0 low, 1 high)', width: 960, series });
}

/** |Spearman rank correlation| between each parameter and the objective over the trials that had it. */
export function parameterImportances(s: StudySettings, trials: readonly TrialRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  const scored = trials.filter((t) => t.value !== null && Number.isFinite(t.value));
  for (const p of s.space) {
    const have = scored.filter((t) => t.params[p.name] !== undefined);
    if (have.length < 3) continue;
    const xs = ranks(have.map((t) => (p.type === 'choice' ? choiceScore(p.name, t.params[p.name]!, have, s) : (t.params[p.name] as number))));
    const ys = ranks(have.map((t) => t.value!));
    out[p.name] = Math.abs(pearson(xs, ys));
  }
  return out;
}

/** A choice's mean objective over the trials that picked it, so its rank order can correlate. */
function choiceScore(name: string, v: Value, trials: readonly TrialRecord[], s: StudySettings): number {
  const same = trials.filter((t) => t.params[name] === v);
  return same.reduce((a, t) => a + lossOf(s.objective, t.value!), 0) / same.length;
}

function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < n; i++) [sab, saa, sbb] = [sab + (a[i]! - ma) * (b[i]! - mb), saa + (a[i]! - ma) ** 2, sbb + (b[i]! - mb) ** 2];
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

function barChart(title: string, values: Record<string, number>): Uint8Array {
  const entries = Object.entries(values).sort((a, b) => b[1] - a[1]);
  const rowH = 22;
  const labelW = Math.max(80, ...entries.map(([k]) => k.length * 7 + 16));
  const c = new Canvas(labelW + 420, 50 + rowH * Math.max(1, entries.length));
  drawText(c, 10, 10, title, [34, 34, 34]);
  entries.forEach(([k, v], i) => {
    const y = 40 + i * rowH;
    drawText(c, 10, y + 4, k, [34, 34, 34]);
    c.fillRect(labelW, y, Math.max(1, Math.round(v * 360)), rowH - 6, PALETTE[0]!);
    drawText(c, labelW + Math.round(v * 360) + 6, y + 4, v.toFixed(2), [34, 34, 34]);
  });
  return c.toPng();
}
