/**
 * `npm run fuzz -- [--seconds N] [--seed S] [--target NAME]... [--runs N] [--path P] [--replay FILE]`:
 * fuzz every reader, print cases per second as it goes and a summary, exit 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { runFuzz, type TargetReport } from './run.js';
import { TARGETS } from './targets/index.js';

const USAGE = `usage: npm run fuzz -- [--seconds N] [--seed S] [--target NAME]... [--runs N] [--path P] [--replay FILE]
  --seconds N     total time, split evenly between the targets (default 600)
  --runs N        cases per target instead of a time budget
  --seed S        fast-check seed (default: from the clock, printed)
  --target NAME   fuzz only this target (repeatable); targets: ${TARGETS.map((t) => t.name).join(', ')}
  --path P        replay the fast-check case P of --seed S (printed with a failure)
  --replay FILE   run one saved input through --target`;

function positive(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${flag} must be a positive number, got ${JSON.stringify(text)}`);
  return v;
}

function options() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' }, target: { type: 'string', multiple: true },
      path: { type: 'string' }, replay: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const targets = values.target ?? TARGETS.map((t) => t.name);
  const unknown = targets.find((name) => !TARGETS.some((t) => t.name === name));
  if (unknown !== undefined) throw new Error(`no fuzz target '${unknown}'`);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${JSON.stringify(values.seed)}`);
  const runs = values.runs === undefined ? null : Math.ceil(positive('--runs', values.runs, 1));
  const seconds = positive('--seconds', values.seconds, 600);
  const single = values.path !== undefined || values.replay !== undefined;
  if (single && values.target?.length !== 1) throw new Error('--path and --replay need exactly one --target');
  return {
    targets, seed, runs, seconds, path: values.path ?? null, replay: values.replay ?? null,
    msPerTarget: runs === null && !single ? (seconds * 1000) / targets.length : null,
  };
}

function summary(reports: readonly TargetReport[], seconds: number): void {
  const row = (name: string, cases: number, read: number, s: number, result: string) =>
    console.log(`${name.padEnd(16)}${String(cases).padStart(10)}${(cases ? (100 * read) / cases : 0).toFixed(1).padStart(7)}%${s.toFixed(1).padStart(9)}${(cases / Math.max(s, 1e-3)).toFixed(0).padStart(9)}  ${result}`);
  console.log(`\n${'target'.padEnd(16)}${'cases'.padStart(10)}${'read'.padStart(8)}${'seconds'.padStart(9)}${'cases/s'.padStart(9)}  result`);
  for (const r of reports) row(r.target, r.cases, r.read, r.seconds, r.failure === null ? 'ok' : 'FAILED');
  const failed = reports.filter((r) => r.failure !== null);
  const sum = (f: (r: TargetReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  row('total', sum((r) => r.cases), sum((r) => r.read), seconds, `${failed.length} failed`);
  console.log('(read: cases the reader returned a result for; it refused the rest with an error naming the file)');
  for (const r of failed) {
    console.log(`\n${r.target}: ${r.failure!.problem}\n  input saved as ${r.failure!.saved}\n  reproduce: ${r.failure!.reproduce}`);
  }
}

async function main(): Promise<void> {
  let opts;
  try {
    opts = options();
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const budget = opts.runs !== null ? `${opts.runs} cases per target` : `${opts.seconds} s`;
  console.log(`fuzzing ${opts.targets.length} targets, seed ${opts.seed}, ${budget}`);
  const t0 = performance.now();
  const reports = await runFuzz({
    ...opts,
    onProgress: (target, cases, s) => console.log(`  ${target}: ${cases} cases, ${(cases / s).toFixed(0)}/s`),
  });
  summary(reports, (performance.now() - t0) / 1000);
  process.exitCode = reports.some((r) => r.failure !== null) ? 1 : 0;
}

await main();
