/**
 * aekit anomaly fit | score | eval: anomaly detection by reconstruction error (apps/anomaly.ts).
 * `fit` trains a detector and saves it with its threshold; `score` streams a CSV of any size and
 * writes a score and a flag per row; `eval` measures the detector on labelled rows and draws the
 * score histogram and the ROC curve.
 */
import { join } from 'node:path';
import { noGrad } from '../../core/index.js';
import { checkFinite, openCsvStream, type Dataset } from '../../data/index.js';
import { AnomalyDetector, defaultAnomalyModel, defaultAnomalyOptions, defaultAnomalyVae, DEFAULT_OPTIMIZER, topFeatures, type AnomalyOptions } from '../../apps/anomaly.js';
import { loadDetector, saveDetector, type AnomalyRecord } from '../../apps/anomaly-file.js';
import { averagePrecision, confusionAt, labelProblem, rocAuc } from '../../apps/binary-metrics.js';
import { histogramPng, rocPng } from '../../apps/anomaly-plots.js';
import { checkThresholdRule, type ThresholdRule } from '../../apps/threshold.js';
import { registerBuiltinModels } from '../../models/index.js';
import { loadDataset } from '../../train/data-setup.js';
import { checkRunDirFree } from '../../train/run-dir.js';
import { DivergedError } from '../../train/trainer.js';
import type { TrainEvent } from '../../train/events.js';
import { AtomicFileWriter, writeFileAtomic } from '../../util/atomic.js';
import { integer, number, oneOf, type Field } from '../../util/schema.js';
import { quoted } from '../../util/text.js';
import { formatHelp, parseArgs, toNested, type FlagSpec } from '../args.js';
import { printJson, useBackend, type Io } from '../common.js';
import { classify, classifyAsync, EXIT, InputError, UsageError } from '../errors.js';
import { BACKEND_FLAGS, COMMON_FLAGS, configFlags, nullable, opt, string } from '../flags.js';
import { shardModel } from '../model-command.js';
import { fmtRate, fmtTime } from '../progress.js';
import { runSharded, SHARD_FLAGS, SHARD_NOTES } from '../shards.js';

const SUBCOMMANDS = ['fit', 'score', 'eval'] as const;
type Sub = (typeof SUBCOMMANDS)[number];

const HELP = `Usage: aekit anomaly <fit|score|eval> [flags]

Anomaly detection by reconstruction error: rows a model trained on normal data reconstructs badly are anomalies.

Subcommands:
  fit    train a detector on (mostly normal) rows and save it with its threshold
  score  score rows of a CSV of any size (streamed): a score and a 0/1 flag per row
  eval   ROC-AUC, PR-AUC and F1 on labelled rows; draws the score histogram and the ROC curve

Run 'aekit anomaly <subcommand> --help' for its flags.
`;

const THRESHOLD_FLAGS: FlagSpec[] = [
  opt('contamination', nullable(number('expected fraction of anomalies in the training rows: the threshold is the (1 − c) quantile of their scores (default 0.1)', 0.1, { positive: true, below: 0.5 })), 'Threshold'),
  opt('percentile', nullable(number('threshold at this percentile of the training scores', 99, { positive: true, below: 100 })), 'Threshold'),
  opt('threshold', nullable(number('a fixed threshold: rows scoring above it are anomalies', 0)), 'Threshold'),
];
const INPUT_FLAGS: FlagSpec[] = [
  opt('data', nullable(string('rows to score: a .csv (streamed), .npy or IDX file, or a folder of images', '')), 'Input'),
  opt('label-column', nullable(string('CSV column of labels (1 = anomaly, 0 = normal), left out of the features: a header name, else a 0-based index', '')), 'Input'),
  opt('header', oneOf('CSV first line is a header: auto, yes or no', ['auto', 'yes', 'no'] as const, 'auto') as Field<unknown>, 'Input'),
  opt('batch-size', integer('rows per batch', 4096, { min: 1, max: 1_000_000 }), 'Engine'),
];
/** Data flags that do not apply to fitting a detector (no validation split, no test set, no binarisation). */
const NOT_FOR_FIT = new Set(['test-data', 'val-fraction', 'binarize', 'train-on-test']);

function specs(sub: Sub, kind: string): FlagSpec[] {
  if (sub === 'fit') return fitSpecs(kind);
  const own = sub === 'score'
    ? [opt('out', nullable(string('output CSV: score and flag per row (and the label, when given); a folder with --shards', '')), 'Output'), opt('explain', nullable(integer("also write the K features contributing most to each row's score (name or 0-based index, and its weighted squared error)", 0, { min: 1 })), 'Output'), THRESHOLD_FLAGS[2]!, ...SHARD_FLAGS]
    : [opt('plots', nullable(string('folder for score-histogram.png and roc.png (default: the detector folder)', '')), 'Output'), THRESHOLD_FLAGS[2]!];
  return [...INPUT_FLAGS, ...own, ...BACKEND_FLAGS, ...COMMON_FLAGS];
}

function fitSpecs(kind: string): FlagSpec[] {
  const fromConfig = configFlags(kind).filter((s) => !NOT_FOR_FIT.has(s.name)).map((s) => {
    // The detector's own defaults, where they differ from aekit train's.
    if (s.name === 'data') return { ...s, field: { ...s.field, default: '', help: 'training rows (required): a .csv, .npy or IDX file, or a folder of images' } };
    if (s.name === 'normalize') return { ...s, field: { ...s.field, default: 'standard' } };
    if (s.name === 'optimizer') return { ...s, field: { ...s.field, default: DEFAULT_OPTIMIZER.kind } };
    if (s.name === 'weight-decay') return { ...s, field: { ...s.field, default: DEFAULT_OPTIMIZER.weightDecay } };
    if (['hidden', 'latent-dim', 'epochs', 'batch-size', 'loss', 'output-activation', 'activation', 'likelihood'].includes(s.name)) return { ...s, field: { ...s.field, default: '', help: `${s.field.help} (default: see below)` } };
    return s;
  });
  return [
    opt('out', nullable(string('folder to save the detector in (new or empty)', '')), 'Run'),
    opt('model', nullable(string('model kind: any aekit kind but cvae (see aekit train --help); default: dense autoencoders and VAEs in turn (see below)', '')), 'Run'),
    opt('members', nullable(integer('models in the ensemble, each on its own 80% subsample and seed (default 10 without --model, else 5)', 5, { min: 1, max: 100 })), 'Detector'),
    opt('combine', nullable(oneOf("how the members' scores are combined: standardized (each member's score as a robust z-score against its own training scores, averaged; the default without --model) or mean (their errors averaged; the default with --model)", ['standardized', 'mean'] as const, 'mean') as Field<unknown>), 'Detector'),
    opt('feature-weighting', oneOf("reconstruction score: each feature's squared error divided by its mean on the training rows (training; for standardised tables), or the plain mean (uniform; for images and other data with constant features)", ['training', 'uniform'] as const, 'training') as Field<unknown>, 'Detector'),
    opt('score', oneOf("how rows are scored: reconstruction (squared error per feature, weighted by 1 / its mean on the training rows, averaged) or likelihood (a VAE's −log p(x))", ['reconstruction', 'likelihood'] as const, 'reconstruction') as Field<unknown>, 'Detector'),
    ...THRESHOLD_FLAGS,
    ...fromConfig,
    ...COMMON_FLAGS,
  ];
}

const FIT_NOTES = [
  'Defaults for tabular data of width d (standardised on the training rows): an ensemble of 10 models,',
  'a dense autoencoder and a VAE in turn, each on an 80% subsample with its own seed. The autoencoder has one',
  'hidden layer of h = max(8, min(64, 2d)) ReLU units and a linear code of max(2, min(⌈d/4⌉, h/4)), linear output,',
  'MSE; the VAE the same widths, tanh units and a Gaussian decoder. AdamW (lr 1e-3, weight decay 0.01), batch 64,',
  'epochs giving about 1,500 steps (10 to 300). Each member weighs a feature\'s squared error by 1 / its mean on',
  'the training rows, and its row scores become robust z-scores against its own training scores; the detector',
  'averages those (--combine standardized). Model flags given without --model shape both kinds.',
  '--model KIND: an ensemble of 5 models of that kind, their errors averaged (--combine mean).',
  'Flags override any of these.',
  '',
  'Examples:',
  '  aekit anomaly fit --data train.csv --out detector --contamination 0.05',
  '  aekit anomaly score detector --data big.csv --out scores.csv --explain 3',
  '  aekit anomaly eval detector --data test.csv --label-column label',
];

const USAGE: Record<Sub, [string, string]> = {
  fit: ['aekit anomaly fit --data train.csv --out DIR [model and training flags] [--contamination C | --percentile P | --threshold X]',
    'Train an anomaly detector on rows that are mostly normal and save it in DIR with its threshold (anomaly.json). Labels, if the data has them, are ignored.'],
  score: ['aekit anomaly score DIR --data rows.csv --out scores.csv [--explain K] [--threshold X]  |  --shards GLOB --out FOLDER [--queue redis://HOST:PORT]',
    'Score every row: the reconstruction error (higher = more anomalous) and a flag (1 above the threshold). A CSV is read and written in batches, so a file of any size takes bounded memory.'],
  eval: ['aekit anomaly eval DIR --data test.csv --label-column NAME|INDEX [--plots FOLDER]',
    'Measure a detector on labelled rows (1 = anomaly): ROC-AUC, PR-AUC (average precision) and precision, recall and F1 at its threshold; draws score-histogram.png (normal vs anomalous rows) and roc.png.'],
};

function help(sub: Sub, kind: string): string {
  const exits = 'Exit codes: 0 ok, 2 bad flags, 3 bad input (data or detector), 5 an output could not be written.';
  return formatHelp(USAGE[sub][0], USAGE[sub][1], specs(sub, kind), sub === 'fit' ? FIT_NOTES : sub === 'score' ? [exits, '', ...SHARD_NOTES('anomaly score', 'csv')] : [exits]);
}

function kindOf(argv: readonly string[]): string {
  const i = argv.findIndex((a) => a === '--model' || a.startsWith('--model='));
  if (i < 0) return 'dense';
  return argv[i]!.includes('=') ? argv[i]!.split('=')[1]! : (argv[i + 1] ?? 'dense');
}

export async function anomalyCommand(argv: readonly string[], io: Io): Promise<number> {
  const [given, ...rest] = argv;
  if (given === undefined || given === '--help' || given === '-h') {
    (given === undefined ? io.err : io.out).write(HELP);
    return given === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(given)) throw new UsageError(`unknown subcommand ${quoted(given, 40)} (subcommands: ${SUBCOMMANDS.join(', ')})`);
  const sub = given as Sub;
  registerBuiltinModels();
  const kind = kindOf(rest);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out.write(help(sub, kind));
    return EXIT.ok;
  }
  const { positionals, values, texts } = parseArgs(rest, specs(sub, kind), `anomaly ${sub}`);
  const o = new Map([...values].filter(([k]) => k.startsWith('opt.')).map(([k, v]) => [k.slice(4), v]));
  const quiet = o.get('quiet') === true || o.get('json') === true;
  if (sub === 'fit') {
    if (positionals.length) throw new UsageError(`aekit anomaly fit takes no positional arguments (got ${quoted(positionals[0]!, 40)}); give the data with --data`);
    return fit(o, toNested(values, ['model', 'data', 'optimizer', 'train']), kind, io, quiet);
  }
  if (positionals.length !== 1) throw new UsageError(`aekit anomaly ${sub} takes one detector folder (made by aekit anomaly fit), got ${positionals.length}`);
  if (o.get('shards')) return runSharded({ command: ['anomaly', 'score', shardModel(positionals[0], 'anomaly score')], texts, ext: 'csv' }, io);
  if (o.get('queue')) throw new UsageError('--queue runs shards: give them with --shards');
  await useBackend((o.get('backend') as string | undefined) ?? 'auto', (o.get('threads') as number | undefined) ?? 0, io, quiet);
  const loaded = classify(InputError, () => loadDetector(positionals[0]!));
  const fixed = o.get('threshold') as number | null | undefined;
  if (fixed !== null && fixed !== undefined) loaded.detector.threshold = fixed;
  return noGrad(() => (sub === 'score' ? score(positionals[0]!, loaded, o, io, quiet) : evaluate(positionals[0]!, loaded, o, io, quiet)));
}

// ---------------------------------------------------------------- fit

function thresholdRule(o: Map<string, unknown>): ThresholdRule {
  const given = (['contamination', 'percentile', 'threshold'] as const).filter((k) => o.get(k) !== null && o.get(k) !== undefined);
  if (given.length > 1) throw new UsageError(`give one of --contamination, --percentile and --threshold, not ${given.map((g) => `--${g}`).join(' and ')}`);
  const k = given[0];
  const rule: ThresholdRule = k === undefined ? { kind: 'contamination', value: 0.1 } : { kind: k === 'threshold' ? 'fixed' : k, value: o.get(k) as number };
  return classify(UsageError, () => checkThresholdRule(rule));
}

async function fit(o: Map<string, unknown>, sections: Record<string, Record<string, unknown>>, kind: string, io: Io, quiet: boolean): Promise<number> {
  const out = o.get('out') as string | null | undefined;
  if (!out) throw new UsageError('aekit anomaly fit needs --out DIR (a new or empty folder for the detector)');
  const data = sections.data ?? {};
  if (typeof data.dataset !== 'string') throw new UsageError('aekit anomaly fit needs --data FILE (the training rows)');
  if (kind === 'cvae') throw new UsageError('--model cvae: a conditional model needs the class of every row it scores; use dense, vae or another kind');
  const rule = thresholdRule(o);
  classify(UsageError, () => checkRunDirFree(out));
  const train = sections.train ?? {};
  await useBackend((train.backend as string | undefined) ?? 'auto', (train.threads as number | undefined) ?? 0, io, quiet);
  const ds = classify(InputError, () => {
    const d = loadDataset(data.dataset as string, { labelColumn: (data.labelColumn as string | null | undefined) ?? null, header: (data.header as 'auto' | 'yes' | 'no' | undefined) ?? 'auto', limit: (data.limit as number | null | undefined) ?? null, ...imageOptions(data) });
    checkFinite(d);
    return d;
  });
  // No --model: the default ensemble of autoencoders and VAEs; model flags shape both kinds.
  const ensemble = o.get('model') === null || o.get('model') === undefined;
  const defaults = defaultAnomalyOptions(ds.dim);
  const base = kind === 'vae' ? defaultAnomalyVae(ds.dim) : kind === 'conv' ? { kind } : { ...defaultAnomalyModel(ds.dim), kind };
  const members = (o.get('members') as number | null | undefined) ?? (ensemble ? defaults.members! : 5);
  const options: AnomalyOptions = {
    model: ensemble ? (defaults.model as Record<string, unknown>[]).map((c) => ({ ...c, ...sections.model })) : { ...base, ...sections.model },
    combine: (o.get('combine') as AnomalyOptions['combine'] | null | undefined) ?? (ensemble ? defaults.combine! : 'mean'),
    ...(sections.optimizer ? { optimizer: sections.optimizer } : {}),
    train,
    normalize: (data.normalize as AnomalyOptions['normalize'] | undefined) ?? 'standard',
    score: (o.get('score') as AnomalyOptions['score'] | undefined) ?? 'reconstruction',
    featureWeighting: (o.get('feature-weighting') as AnomalyOptions['featureWeighting'] | undefined) ?? 'training',
    members,
    threshold: rule,
    ...(quiet ? {} : { onEvent: fitProgress(io, members) }),
  };
  const t0 = performance.now();
  const det = new AnomalyDetector(options);
  try {
    // A config the model rejects (a code wider than the data, likelihood scoring without a VAE) is the user's to fix.
    await classifyAsync(UsageError, () => det.fit(ds));
  } catch (err) {
    if (!(err instanceof DivergedError)) throw err;
    io.err.write(`aekit anomaly fit: ${err.message}\n`);
    return EXIT.diverged;
  }
  const seconds = (performance.now() - t0) / 1000;
  const featureNames = 'featureNames' in ds ? (ds as { featureNames: string[] | null }).featureNames : null;
  saveDetector(out, det, { rule, featureNames, sampleShape: ds.sampleShape, run: { anomaly: { ...options, onEvent: undefined }, data: { ...data } } });
  const flagged = det.trainingScores.filter((s) => s > det.threshold).length;
  const kinds = new Map<string, number>();
  for (const m of det.members) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
  if (o.get('json') === true) printJson(io, { out, rows: ds.n, features: ds.dim, members: det.members.length, kinds: Object.fromEntries(kinds), combine: det.combine, model: det.members[0]!.config, threshold: det.threshold, rule, flaggedTrainingRows: flagged, seconds });
  else if (o.get('quiet') !== true) {
    const what = [...kinds].map(([k, n]) => `${n} ${k} model${n > 1 ? 's' : ''}`).join(' and ');
    io.out.write(`fitted ${what} (${det.combine === 'standardized' ? 'scores standardised per member' : 'errors averaged'}) on ${ds.n} rows of ${ds.dim} features in ${seconds.toFixed(1)} s\n`);
    io.out.write(`threshold ${det.threshold.toPrecision(6)} (${ruleText(rule)}): ${flagged} of ${ds.n} training rows score above it\n`);
    io.out.write(`detector: ${out} (anomaly.json holds the threshold)\n`);
  }
  return EXIT.ok;
}

function imageOptions(data: Record<string, unknown>): { channels?: 1 | 3; imageSize?: { width: number; height: number } | null } {
  return { ...(data.channels !== undefined ? { channels: data.channels as 1 | 3 } : {}), ...(data.imageSize !== undefined ? { imageSize: data.imageSize as { width: number; height: number } | null } : {}) };
}

function ruleText(r: ThresholdRule): string {
  return r.kind === 'contamination' ? `contamination ${r.value}` : r.kind === 'percentile' ? `percentile ${r.value} of the training scores` : 'fixed';
}

/** One line per model of the ensemble (a live epoch counter on a terminal). */
function fitProgress(io: Io, members: number): (e: TrainEvent) => void {
  let member = 0;
  let t0 = 0;
  const tty = io.err.isTTY === true;
  return (e) => {
    if (e.type === 'run_start') {
      member++;
      t0 = performance.now();
      if (tty) io.err.write(`model ${member}/${members}: training on ${e.trainSize} rows…`);
    } else if (e.type === 'epoch_end') {
      const last = e.epoch + 1 === e.epochs;
      if (tty && !last) io.err.write(`\r\x1b[2Kmodel ${member}/${members}: epoch ${e.epoch + 1}/${e.epochs} loss ${e.trainLoss.toFixed(4)}`);
      if (last) io.err.write(`${tty ? '\r\x1b[2K' : ''}model ${member}/${members}: ${e.epochs} epochs, loss ${e.trainLoss.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
  };
}

// ---------------------------------------------------------------- score and eval

interface Loaded {
  detector: AnomalyDetector;
  record: AnomalyRecord;
}

/**
 * Visit the rows of --data in batches with their scores: a CSV is streamed, other inputs are read
 * whole. `onBatch` gets the rows (original units) and their scores.
 */
function forEachScored(m: Loaded, o: Map<string, unknown>, io: Io, quiet: boolean, onBatch: (rows: Dataset, scores: Float64Array) => void): { rows: number; seconds: number } {
  const spec = o.get('data') as string | null | undefined;
  if (!spec) throw new UsageError('--data FILE is required (the rows to score)');
  const labelColumn = (o.get('label-column') as string | null | undefined) ?? null;
  const header = (o.get('header') as 'auto' | 'yes' | 'no' | undefined) ?? 'auto';
  const batchRows = (o.get('batch-size') as number | undefined) ?? 4096;
  const width = m.detector.members[0]!.config.inputDim;
  const t0 = performance.now();
  let rows = 0;
  const visit = (ds: Dataset) => {
    if (ds.dim !== width) throw new InputError(`${ds.source} has ${ds.dim} features per row but the detector was fitted on ${width}`);
    classify(InputError, () => checkFinite(ds));
    onBatch(ds, m.detector.score(ds));
    rows += ds.n;
  };
  if (spec.toLowerCase().endsWith('.csv')) {
    const stream = classify(InputError, () => openCsvStream(spec, { batchRows, ...(header === 'auto' ? {} : { header: header === 'yes' }), ...(labelColumn !== null ? { labelColumn } : {}) }));
    const show = progress(io, quiet, stream.size);
    const batches = stream.batches();
    for (;;) {
      const next = classify(InputError, () => batches.next());
      if (next.done) break;
      visit(next.value);
      show(stream.bytesRead(), rows, t0);
    }
    show(-1, rows, t0);
  } else {
    const ds = classify(InputError, () => loadDataset(spec, { labelColumn, header }));
    for (let start = 0; start < ds.n; start += batchRows) {
      const n = Math.min(batchRows, ds.n - start);
      visit({ ...ds, n, x: ds.x.subarray(start * ds.dim, (start + n) * ds.dim), labels: ds.labels?.subarray(start, start + n) ?? null });
    }
  }
  if (rows === 0) throw new InputError(`${spec}: no rows to score`);
  return { rows, seconds: (performance.now() - t0) / 1000 };
}

/** Percentage of the file read and rows/s on a terminal, at most 4 times a second; `done` < 0 clears the line. */
function progress(io: Io, quiet: boolean, size: number): (done: number, rows: number, t0: number) => void {
  let last = 0;
  if (quiet || io.err.isTTY !== true) return () => {};
  return (done, rows, t0) => {
    if (done < 0) return void io.err.write('\r\x1b[2K');
    const now = performance.now();
    if (now - last < 250) return;
    last = now;
    const secs = (now - t0) / 1000;
    const eta = size > 0 ? (secs * (size - done)) / Math.max(done, 1) : NaN;
    io.err.write(`\r\x1b[2Kscoring: ${((100 * done) / Math.max(size, 1)).toFixed(1)}% of the file, ${rows.toLocaleString('en-US')} rows, ${fmtRate(rows / Math.max(secs, 1e-9))} rows/s, ETA ${fmtTime(eta)}`);
  };
}

function score(dir: string, m: Loaded, o: Map<string, unknown>, io: Io, quiet: boolean): number {
  const out = o.get('out') as string | null | undefined;
  if (!out) throw new UsageError('--out FILE.csv is required (a score and a flag per row)');
  if (!out.toLowerCase().endsWith('.csv')) throw new UsageError(`--out ${out}: scores are written as CSV; use a .csv file name`);
  const k = (o.get('explain') as number | null | undefined) ?? null;
  const width = m.detector.members[0]!.config.inputDim;
  if (k !== null && k > width) throw new UsageError(`--explain ${k}: the detector has only ${width} features`);
  const names = m.record.featureNames;
  const writer = new AtomicFileWriter(out);
  let flagged = 0;
  let result: { rows: number; seconds: number };
  try {
    let wroteHeader = false;
    result = forEachScored(m, o, io, quiet, (rows, scores) => {
      if (!wroteHeader) writer.write(csvHeader(rows.labels !== null, k));
      wroteHeader = true;
      const top = k === null ? null : topFeatures(m.detector.featureContributions(m.detector.normalized(rows)), rows.n, rows.dim, k);
      const lines: string[] = [];
      for (let i = 0; i < rows.n; i++) {
        const flag = scores[i]! > m.detector.threshold ? 1 : 0;
        flagged += flag;
        let line = `${scores[i]!.toPrecision(7)},${flag}`;
        if (rows.labels) line += `,${rows.labels[i]}`;
        if (top) for (let r = 0; r < k!; r++) line += `,${featureName(names, top.features[i * k! + r]!)},${top.errors[i * k! + r]!.toPrecision(5)}`;
        lines.push(line);
      }
      writer.write(lines.join('\n') + '\n');
    });
  } catch (err) {
    writer.abort();
    throw err;
  }
  writer.commit();
  const summary = { detector: dir, out, rows: result.rows, flagged, threshold: m.detector.threshold, seconds: result.seconds, rowsPerSec: result.rows / result.seconds };
  if (o.get('json') === true) printJson(io, summary);
  else if (o.get('quiet') !== true) io.out.write(`scored ${result.rows.toLocaleString('en-US')} rows in ${result.seconds.toFixed(1)} s (${fmtRate(summary.rowsPerSec)} rows/s): ${flagged.toLocaleString('en-US')} above the threshold ${m.detector.threshold.toPrecision(6)}; wrote ${out}\n`);
  return EXIT.ok;
}

function csvHeader(labels: boolean, k: number | null): string {
  const cols = ['score', 'flag', ...(labels ? ['label'] : [])];
  for (let r = 1; r <= (k ?? 0); r++) cols.push(`feature${r}`, `error${r}`);
  return cols.join(',') + '\n';
}

/** A feature's header name (quoted for CSV when it needs to be), or its 0-based index. */
function featureName(names: string[] | null, j: number): string {
  const name = names?.[j];
  if (name === undefined) return String(j);
  return /[",\r\n]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name;
}

function evaluate(dir: string, m: Loaded, o: Map<string, unknown>, io: Io, quiet: boolean): number {
  const scores: number[] = [];
  const labels: number[] = [];
  let source = '';
  forEachScored(m, o, io, quiet, (rows, s) => {
    if (rows.labels === null) throw new UsageError(`${rows.source} has no labels: give --label-column NAME|INDEX (1 = anomaly, 0 = normal)`);
    source = rows.source;
    for (let i = 0; i < rows.n; i++) {
      scores.push(s[i]!);
      labels.push(rows.labels[i]!);
    }
  });
  const problem = labelProblem(labels);
  if (problem !== null) throw new InputError(`${source}: ${problem}`);
  const t = m.detector.threshold;
  const auc = rocAuc(scores, labels);
  const ap = averagePrecision(scores, labels);
  const c = confusionAt(scores, labels, t);
  const plots = (o.get('plots') as string | null | undefined) ?? dir;
  const files = [join(plots, 'score-histogram.png'), join(plots, 'roc.png')];
  writeFileAtomic(files[0]!, histogramPng(scores, labels, t));
  writeFileAtomic(files[1]!, rocPng(scores, labels, auc));
  const anomalies = labels.filter((y) => y === 1).length;
  if (o.get('json') === true) {
    printJson(io, { detector: dir, data: source, rows: scores.length, anomalies, rocAuc: auc, prAuc: ap, threshold: t, ...c, plots: files });
    return EXIT.ok;
  }
  io.out.write(`${source}: ${scores.length} rows, ${anomalies} labelled anomalies (${((100 * anomalies) / scores.length).toFixed(1)}%)\n`);
  io.out.write(`ROC-AUC ${auc.toFixed(4)}  PR-AUC (average precision) ${ap.toFixed(4)}\n`);
  io.out.write(`at the threshold ${t.toPrecision(6)}: precision ${c.precision.toFixed(4)}  recall ${c.recall.toFixed(4)}  F1 ${c.f1.toFixed(4)}  (${c.tp} true and ${c.fp} false alarms, ${c.fn} missed)\n`);
  if (o.get('quiet') !== true) io.out.write(`pictures: ${files.join(' ')}\n`);
  return EXIT.ok;
}
