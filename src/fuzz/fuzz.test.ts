import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { applyMutation } from './mutate.js';
import { runFuzz, type FuzzOptions } from './run.js';
import { TARGETS } from './targets/index.js';

const failureDir = mkdtempSync(join(tmpdir(), 'aekit-fuzz-test-'));
after(() => rmSync(failureDir, { recursive: true, force: true }));

const BROKEN = new URL('./broken-targets.js', import.meta.url).href;

test('every reader survives a short seeded run (the long run is npm run fuzz)', async () => {
  const reports = [];
  for (const t of TARGETS) {
    const runs = t.quickRuns ?? 100;
    const [r] = await runFuzz({ targets: [t.name], seed: 42, runs, msPerTarget: null, failureDir });
    assert.ok(r && r.cases >= runs, `${t.name}: ${r?.cases} cases`);
    reports.push(r);
  }
  for (const r of reports) assert.equal(r.failure, null, `${r.target}: ${r.failure?.problem}\n  ${r.failure?.reproduce}`);
});

/** Fuzz one broken target briefly and return its failure. */
async function failureOf(target: string, extra: Partial<FuzzOptions> = {}) {
  const [report] = await runFuzz({
    targets: [target], seed: 7, runs: 20, msPerTarget: null, failureDir, targetsModule: BROKEN,
    // A short time bound only where a hang is the point, so that a loaded machine cannot turn a slow case into another failure.
    bounds: { timeoutMs: target === 'hangs' ? 200 : 2000, slackBytes: 16 * 2 ** 20 }, ...extra,
  });
  assert.ok(report?.failure, `${target} was not caught`);
  assert.ok(existsSync(report.failure.saved), 'the failing input is saved');
  return report.failure;
}

test('the harness catches each kind of failure it promises to', async () => {
  const expected: [string, RegExp][] = [
    ['type-error', /^TypeError \(a bug, not a report on the input\): Cannot read properties of undefined/],
    ['no-path', /^the error does not name the file: bad input$/],
    ['throws-string', /^threw a non-Error: bad input$/],
    ['writes-input', /^the input file changed$/],
    ['returns-64mib', /^(array buffers grew by|the result holds) \d+ bytes (of arrays )?for a \d+-byte file$/],
    ['allocates-64mib', /^array buffers grew by \d+ bytes for a \d+-byte file$/],
    ['wrong-result', /^wrong result: shape \[2\] holds 2 values but the data has 3$/],
    ['hangs', /^hang: a case ran \d+ ms and was stopped$/],
    ['exits', /^the worker exited with code 0 before reporting$/],
  ];
  for (const [target, re] of expected) assert.match((await failureOf(target)).problem, re, target);
});

test('a process whose memory keeps growing is stopped', async () => {
  const failure = await failureOf('leaks', { maxRssBytes: process.memoryUsage.rss() + 150 * 2 ** 20, runs: 1000 });
  assert.match(failure.problem, /^(unbounded memory: the process passed \d+ bytes resident|the worker died: .*memory.*)$/);
});

test('a failure prints a seed and path that reproduce it', async () => {
  const first = await failureOf('wrong-result');
  const path = /--path (\S+)/.exec(first.reproduce)?.[1];
  assert.ok(path !== undefined, first.reproduce);
  assert.match(first.reproduce, /^npm run fuzz -- --target wrong-result --seed 7 --path \S+$/);
  const again = await failureOf('wrong-result', { path });
  assert.equal(again.problem, first.problem);
  const replayed = await failureOf('hangs', { replay: (await failureOf('hangs')).saved });
  assert.match(replayed.problem, /^hang/);
});

test('mutations apply to any input and never change it', () => {
  const input = Uint8Array.of(1, 2, 3);
  assert.deepEqual([...applyMutation(input, { kind: 'flip', at: 4, bit: 0 })], [1, 3, 3]);
  assert.deepEqual([...applyMutation(input, { kind: 'int', at: 1, width: 4, littleEndian: false, value: 0x01020304n })], [1, 1, 2, 3, 4]);
  assert.deepEqual([...applyMutation(Uint8Array.from(Buffer.from("(2, 3)")), { kind: 'number', nth: 1, text: '1e400' })], [...Buffer.from('(2, 1e400)')]);
  assert.deepEqual([...applyMutation(new Uint8Array(0), { kind: 'set', at: 9, value: 7 })], []);
  assert.deepEqual([...input], [1, 2, 3]);
});

test('npm run fuzz prints a summary and exits 0 when nothing fails', () => {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const out = execFileSync(process.execPath, [main, '--runs', '30', '--seed', '3', '--target', 'idx'], { encoding: 'utf8' });
  assert.match(out, /^fuzzing 1 targets, seed 3, 30 cases per target$/m);
  assert.match(out, /^idx +\d+ +[\d.]+% +[\d.]+ +\d+ +ok$/m);
  assert.match(out, /^total +\d+ .* 0 failed$/m);
});
