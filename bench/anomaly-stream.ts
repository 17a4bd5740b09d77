/**
 * `aekit anomaly score` on a generated 1 GiB CSV: peak resident memory (GNU time's maximum RSS of
 * the whole process) and rows/s. The table has 20 features, 19 of them noisy functions of 4 hidden
 * factors, plus a label column (1 for one row in 100, drawn off the factors). A detector is fitted
 * on the first 20,000 rows by `aekit anomaly fit --model dense` (5 dense autoencoders, the default
 * before the AE+VAE ensemble, so the recorded figures stay comparable; `--default-ensemble` fits the
 * current default of 10 models instead); the big file is then scored by
 * the real binary. Files go to --dir (default /tmp), never into the repository.
 *   node dist/bench/anomaly-stream.js [--gib 1] [--dir /tmp] [--keep] [--default-ensemble]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/index.js';

const { values } = parseArgs({ options: { gib: { type: 'string', default: '1' }, dir: { type: 'string', default: '/tmp' }, keep: { type: 'boolean', default: false }, 'default-ensemble': { type: 'boolean', default: false } } });
const bytes = Number(values.gib) * 2 ** 30;
const dir = values.dir!;
const big = join(dir, 'aekit-anomaly-stream.csv');
const small = join(dir, 'aekit-anomaly-stream-train.csv');
const det = join(dir, `aekit-anomaly-stream-det-${process.pid}`);
const out = join(dir, 'aekit-anomaly-stream-scores.csv');
const cli = new URL('../src/cli/main.js', import.meta.url).pathname;

/** Write rows until the file holds `limit` bytes; returns the row count. */
function generate(path: string, limit: number, seed: number): number {
  const rng = new Rng(seed);
  const fd = openSync(path, 'w');
  const header = [...Array.from({ length: 20 }, (_, j) => `f${j}`), 'label'].join(',') + '\n';
  writeSync(fd, header);
  let size = header.length;
  let rows = 0;
  const mixRng = new Rng(1); // the same factor loadings in every file
  const mix = Array.from({ length: 20 }, () => Array.from({ length: 4 }, () => mixRng.normal()));
  while (size < limit) {
    const lines: string[] = [];
    for (let r = 0; r < 10000; r++) {
      const anomaly = rng.uniform() < 0.01;
      const z = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
      const row = mix.map((w) => (anomaly ? 2 * rng.normal() : w[0]! * z[0]! + w[1]! * z[1]! + w[2]! * z[2]! + w[3]! * z[3]!) + 0.1 * rng.normal());
      lines.push(`${row.map((v) => v.toFixed(4)).join(',')},${anomaly ? 1 : 0}\n`);
    }
    const text = lines.join('');
    writeSync(fd, text);
    size += text.length;
    rows += lines.length;
  }
  closeSync(fd);
  return rows;
}

function run(args: string[], timed = false): { stdout: string; stderr: string } {
  const cmd = timed ? ['/usr/bin/time', '-v', process.execPath, cli, ...args] : [process.execPath, cli, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

let t0 = performance.now();
const rows = existsSync(big) && statSync(big).size >= bytes ? null : generate(big, bytes, 7);
const genSeconds = (performance.now() - t0) / 1000;
generate(small, 20000 * 150, 8);
rmSync(det, { recursive: true, force: true });
run(['anomaly', 'fit', '--data', small, '--label-column', 'label', '--out', det, ...(values['default-ensemble'] ? [] : ['--model', 'dense']), '--quiet']);
t0 = performance.now();
const scored = run(['anomaly', 'score', det, '--data', big, '--label-column', 'label', '--out', out, '--json'], true);
const summary = JSON.parse(scored.stdout) as { rows: number; seconds: number; rowsPerSec: number; flagged: number };
const maxRss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(scored.stderr)?.[1]);
const result = {
  file: big, fileBytes: statSync(big).size, rows: summary.rows, generatedRows: rows, generateSeconds: rows === null ? null : genSeconds,
  scoreSeconds: summary.seconds, rowsPerSec: summary.rowsPerSec, megabytesPerSec: statSync(big).size / 2 ** 20 / summary.seconds,
  peakRssMiB: maxRss / 1024, flagged: summary.flagged, outBytes: statSync(out).size,
};
console.log(JSON.stringify(result, null, 2));
rmSync(det, { recursive: true, force: true });
rmSync(small, { force: true });
rmSync(out, { force: true });
if (!values.keep) rmSync(big, { force: true });
