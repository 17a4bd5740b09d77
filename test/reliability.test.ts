/**
 * The run directory and the CLI's edges (the reliability issue's defects 1–9): aekit never deletes
 * a user's files, never passes off untrained or broken weights, detects divergence of every kind,
 * tells bad input from its own bugs, never hangs on special files, and reports what it reads the
 * same way in every command. Each test runs the real binary on a small CSV.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { writeNpy } from '../src/data/files.js';
import { aekit, tempDir } from './helpers.js';

const root = tempDir('aekit-rel-');
const csv = join(root, 't.csv');
const BASE = ['--data', csv, '--label-column', 'label', '--loss', 'mse', '--output-activation', 'linear', '--hidden', '8', '--latent-dim', '2', '--batch-size', '50', '--quiet'];

/** 300 rows of 6 features in [0, 1] and an integer label, from a fixed linear congruential stream. */
function writeTable(path: string): void {
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const rows = ['a,b,c,d,e,f,label'];
  for (let i = 0; i < 300; i++) rows.push([...Array.from({ length: 6 }, () => next().toFixed(4)), String(i % 3)].join(','));
  writeFileSync(path, rows.join('\n') + '\n');
}

const run = (name: string) => join(root, name);
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const ok = (r: ReturnType<typeof aekit>) => assert.equal(r.status, 0, r.stderr);
const oneLine = (r: ReturnType<typeof aekit>) => assert.doesNotMatch(r.stderr, /\n\s+at /, `a stack trace: ${r.stderr}`);

before(() => writeTable(csv));

describe('1. aekit never writes into a directory it did not create', () => {
  test('a non-empty directory that is not a run is refused and left as it was', () => {
    const p = run('user');
    mkdirSync(join(p, 'checkpoints'), { recursive: true });
    writeFileSync(join(p, 'checkpoints', 'important.pt'), 'x');
    writeFileSync(join(p, 'config.json'), '{}');
    const r = aekit(['train', ...BASE, '--epochs', '1', '--out', p]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /the directory is not empty and is not an aekit run .*choose a new or empty directory/);
    assert.equal(readFileSync(join(p, 'checkpoints', 'important.pt'), 'utf8'), 'x');
    assert.equal(readFileSync(join(p, 'config.json'), 'utf8'), '{}');
    assert.deepEqual(readdirSync(p).sort(), ['checkpoints', 'config.json']);
  });

  test('an empty directory is adopted', () => {
    const p = run('empty');
    mkdirSync(p);
    ok(aekit(['train', ...BASE, '--epochs', '1', '--out', p]));
    assert.equal(readJson(join(p, 'run.json')).status, 'finished');
  });
});

describe('2–5. divergence of every kind, and no untrained weights passed off as a model', () => {
  const early = run('early'); // diverges in its first epoch: no checkpoint
  const late = run('late'); // one good epoch, then diverges
  before(() => {
    assert.equal(aekit(['train', ...BASE, '--epochs', '2', '--lr', '10', '--out', early]).status, 4);
    ok(aekit(['train', ...BASE, '--epochs', '1', '--out', late]));
  });

  test('5. Adam with a huge rate stays finite but runs away: exit 4, the step named, run.json says diverged', () => {
    const r = aekit(['train', ...BASE, '--epochs', '2', '--lr', '1e3', '--out', run('adam')]);
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /runaway loss at epoch 1, step \d+: the loss \S+ is over 10,000× the first step's/);
    assert.equal(readJson(join(run('adam'), 'run.json')).status, 'diverged');
  });

  test('2. a run with no checkpoint has no weights to give: every model command refuses', () => {
    assert.ok(!existsSync(join(early, 'model.safetensors')), 'no initial weights beside the config');
    for (const cmd of [['eval', early], ['encode', early, '--out', join(root, 'z.npy')], ['reconstruct', early, '--out', join(root, 'r.npy')], ['info', early]]) {
      const r = aekit(cmd);
      assert.equal(r.status, 3, `${cmd[0]}: ${r.stderr}`);
      assert.match(r.stderr, /holds no trained weights: the run stopped: diverged .* before its first epoch ended; continue it with aekit train --resume/);
    }
    assert.ok(!existsSync(join(root, 'z.npy')));
  });

  test('2. an unfinished run gives its last checkpoint, saying so', () => {
    const r = aekit(['train', '--resume', late, '--epochs', '3', '--lr', '1e3']);
    assert.equal(r.status, 4, r.stderr);
    const e = aekit(['eval', late, '--json']);
    ok(e);
    assert.match(e.stderr, /is not a finished model: the run stopped: diverged .*using the weights of its last checkpoint \(epoch 1 of 3\)/);
    const fromCkpt = aekit(['eval', join(late, 'checkpoints', 'epoch-0001'), '--json']);
    assert.equal(JSON.parse(e.stdout).loss, JSON.parse(fromCkpt.stdout).loss);
  });

  test('3. a run stopped before its first checkpoint resumes from the start instead of a dead end', () => {
    const r = aekit(['train', '--resume', early, '--lr', '0.01']);
    ok(r);
    assert.match(r.stderr, /stopped before its first checkpoint; starting it over from epoch 1/);
    assert.equal(readJson(join(early, 'run.json')).status, 'finished');
  });

  test('4. a failed resume leaves the configuration as it was; a plain resume then succeeds', () => {
    const p = run('failed-resume');
    ok(aekit(['train', ...BASE, '--epochs', '1', '--out', p]));
    const before = readFileSync(join(p, 'config.json'), 'utf8');
    assert.equal(aekit(['train', '--resume', p, '--epochs', '3', '--lr', '1e3']).status, 4);
    assert.equal(readFileSync(join(p, 'config.json'), 'utf8'), before);
    ok(aekit(['train', '--resume', p, '--epochs', '3', '--quiet']));
    assert.equal(readJson(join(p, 'config.json')).run.optimizer.lr, 0.001);
    assert.equal(readJson(join(p, 'run.json')).epochsDone, 3);
  });

  test('4. fields that define the run cannot change on resume; the message names the flag', () => {
    for (const [flag, value] of [['--hidden', '16'], ['--seed', '7'], ['--batch-size', '20'], ['--optimizer', 'sgd']]) {
      const r = aekit(['train', '--resume', late, '--epochs', '5', flag!, value!]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`${flag} cannot change when resuming \\(the run was trained with`));
    }
    const r = aekit(['train', '--resume', late, '--out', run('elsewhere')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--out cannot be used with --resume/);
    assert.ok(!existsSync(run('elsewhere')));
  });

  test('a finished run asked for no more epochs says how to train further', () => {
    const r = aekit(['train', '--resume', run('empty')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /has finished its 1 epochs; to train further pass --epochs N with N > 1/);
  });
});

describe('6. weights and outputs are checked', () => {
  const p = run('model');
  before(() => ok(aekit(['train', ...BASE, '--epochs', '1', '--out', p])));

  test('a NaN weight is refused on load, naming the parameter', () => {
    const bad = run('nan-model');
    mkdirSync(bad);
    writeFileSync(join(bad, 'config.json'), readFileSync(join(p, 'config.json')));
    const bytes = readFileSync(join(p, 'model.safetensors'));
    const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
    bytes.writeFloatLE(NaN, headerEnd + 4 * 3);
    writeFileSync(join(bad, 'model.safetensors'), bytes);
    const r = aekit(['eval', bad]);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /model\.safetensors: parameter '[\w.]+' holds NaN at index \d+; a model's weights must be finite/);
  });

  test('decoding codes far outside the training range writes nothing and says why', () => {
    const z = join(root, 'huge.npy');
    writeNpy(z, new Float32Array([3e38, -3e38, 3e38, 3e38]), [2, 2]);
    for (const out of ['x.npy', 'x.csv']) {
      const r = aekit(['decode', p, '--input', z, '--out', join(root, out)]);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, /the result for input row 1 is (-?Infinity|NaN) \(not finite\): that input lies far outside the range the model was trained on; nothing was written/);
      assert.ok(!existsSync(join(root, out)));
    }
  });

  test('a normaliser of the wrong length in config.json is named', () => {
    const bad = run('bad-norm');
    mkdirSync(bad);
    const cfg = readJson(join(p, 'config.json'));
    cfg.data.normalizer = { kind: 'standard', offset: [0, 0], scale: [1, 1] };
    writeFileSync(join(bad, 'config.json'), JSON.stringify(cfg));
    writeFileSync(join(bad, 'model.safetensors'), readFileSync(join(p, 'model.safetensors')));
    const r = aekit(['eval', bad]);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /config\.json: data\.normalizer has 2 values per feature but the model takes 6 features/);
  });
});

describe('7. clear messages and the right exit code, never a stack trace', () => {
  const p = run('model7');
  before(() => ok(aekit(['train', ...BASE, '--epochs', '1', '--out', p])));
  const cases: [string, () => string[], number, RegExp][] = [
    ['--threads 100 (train)', () => ['train', ...BASE, '--threads', '100', '--out', run('t100')], 2, /--threads: 100 must be ≤ 64/],
    ['--model vqvae', () => ['train', '--model', 'vqvae'], 2, /unknown model kind 'vqvae' \(known: dense, denoising, sparse, contractive, vae, cvae, conv\)/],
    ['--beta1 1', () => ['train', ...BASE, '--beta1', '1', '--out', run('b1')], 2, /--beta1: 1 must be < 1/],
    ['--seed 2^32', () => ['train', ...BASE, '--seed', String(2 ** 32), '--out', run('s')], 2, /--seed: 4294967296 must be ≤ 4294967295/],
    ['--epochs 3.4e38 (found by the cli fuzz target: trained without end)', () => ['train', ...BASE, '--epochs', '3.4028236e38', '--out', run('e')], 2, /--epochs: expected an integer below 2\^53, got 3\.4028236e\+38/],
    ['--epochs 2000000', () => ['train', ...BASE, '--epochs', '2000000', '--out', run('e2')], 2, /--epochs: 2000000 must be ≤ 1000000/],
    ['--limit 0 (eval)', () => ['eval', p, '--limit', '0'], 2, /--limit: 0 must be ≥ 1/],
    ['encode --out naming a directory', () => ['encode', p, '--out', root + '/'], 2, /use a \.npy or \.csv file name/],
    ['encode --out a directory named x.npy', () => ['encode', p, '--out', mkdirP(join(root, 'dir.npy'))], 5, /cannot write .*dir\.npy: it is a directory/],
    ['--out under /proc', () => ['train', ...BASE, '--out', '/proc/aekit'], 5, /cannot write \/proc\/aekit: (no such directory|permission denied|operation not permitted)/],
    ['encode --out under a file', () => ['encode', p, '--out', join(csv, 'z.npy')], 5, /exists and is not a directory/],
  ];
  for (const [name, args, code, msg] of cases) {
    test(name, () => {
      const r = aekit(args(), { timeoutMs: 30_000 });
      assert.equal(r.status, code, r.stderr);
      assert.match(r.stderr, msg);
      oneLine(r);
    });
  }

  test('--threads 0 means one per core in every command', () => {
    ok(aekit(['eval', p, '--threads', '0']));
  });

  test('a failed write leaves no temporary file behind', () => {
    const d = mkdirP(join(root, 'w.npy'));
    assert.equal(aekit(['encode', p, '--out', d]).status, 5);
    assert.deepEqual(readdirSync(root).filter((n) => n.endsWith('.tmp')), []);
  });
});

describe('8. special files are refused without hanging', () => {
  test('--config /dev/zero', () => {
    const r = aekit(['train', '--config', '/dev/zero'], { timeoutMs: 20_000 });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /\/dev\/zero: .*not a regular file/);
  });
});

describe('9. what is read is what the user meant', () => {
  test('eval of a CSV-trained model reads its data with the recorded label column', () => {
    const p = run('csv-model');
    ok(aekit(['train', ...BASE, '--epochs', '1', '--out', p]));
    const r = aekit(['eval', p, '--json']);
    ok(r);
    assert.equal(JSON.parse(r.stdout).n, 300);
  });

  test('a label column named "0" is found by name', () => {
    const f = join(root, 'zero.csv');
    writeFileSync(f, 'x,0,y\n' + Array.from({ length: 40 }, (_, i) => `${(i % 7) / 7},${i % 2},${(i % 5) / 5}`).join('\n') + '\n');
    const p = run('zero');
    ok(aekit(['train', '--data', f, '--label-column', '0', '--loss', 'mse', '--output-activation', 'linear', '--hidden', '4', '--latent-dim', '1', '--epochs', '1', '--out', p, '--quiet']));
    assert.equal(readJson(join(p, 'config.json')).model.inputDim, 2);
  });

  test('--header no reads a first line of column numbers as data; the default takes it as names', () => {
    const f = join(root, 'numbered.csv');
    writeFileSync(f, '0,1,2\n' + Array.from({ length: 30 }, (_, i) => `${i % 3},${i % 5},${i % 7}`).join('\n') + '\n');
    const common = ['--data', f, '--loss', 'mse', '--output-activation', 'linear', '--hidden', '4', '--latent-dim', '1', '--epochs', '1', '--val-fraction', '0', '--json'];
    const named = aekit(['train', ...common, '--out', run('h-auto')]);
    const data = aekit(['train', ...common, '--header', 'no', '--out', run('h-no')]);
    ok(named);
    ok(data);
    const trainSize = (d: string) => readFileSync(join(d, 'events.jsonl'), 'utf8').split('\n').map((l) => (l ? JSON.parse(l) : {})).find((e) => e.type === 'run_start').trainSize;
    assert.equal(trainSize(run('h-auto')), 30);
    assert.equal(trainSize(run('h-no')), 31);
  });

  test('a malformed state.json or run.json is named, never followed outside the run', () => {
    const p = run('tamper');
    ok(aekit(['train', ...BASE, '--epochs', '1', '--out', p]));
    const state = join(p, 'checkpoints', 'epoch-0001', 'state.json');
    const good = readFileSync(state, 'utf8');
    writeFileSync(state, JSON.stringify({ ...JSON.parse(good), epochsDone: 'abc' }));
    let r = aekit(['train', '--resume', p, '--epochs', '2']);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /state\.json: epochsDone must be an integer ≥ 0, got "abc"/);
    writeFileSync(state, good);
    const rec = readJson(join(p, 'run.json'));
    writeFileSync(join(p, 'run.json'), JSON.stringify({ ...rec, status: 'running', checkpoint: '../../elsewhere' }));
    for (const args of [['train', '--resume', p, '--epochs', '2'], ['eval', p]]) {
      r = aekit(args);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, /run\.json: checkpoint must be "checkpoints\/epoch-NNNN" inside the run directory, got "\.\.\/\.\.\/elsewhere"/);
    }
    writeFileSync(join(p, 'run.json'), JSON.stringify(rec));
  });

  test('a run directory from before run.json (checkpoint.json) is read as interrupted or finished', () => {
    const p = run('legacy');
    ok(aekit(['train', ...BASE, '--epochs', '1', '--out', p]));
    rmSync(join(p, 'run.json'));
    writeFileSync(join(p, 'checkpoint.json'), JSON.stringify({ dir: 'checkpoints/epoch-0001', epoch: 1 }));
    ok(aekit(['eval', p]));
    rmSync(join(p, 'metrics.json'));
    const r = aekit(['eval', p]);
    ok(r);
    assert.match(r.stderr, /is not a finished model: the run stopped: interrupted; using the weights of its last checkpoint \(epoch 1 of 1\)/);
    writeFileSync(join(p, 'checkpoint.json'), JSON.stringify({ dir: '/etc', epoch: 1 }));
    assert.equal(aekit(['eval', p]).status, 3);
  });

  test('a config.json of null, or without its fields, is named', () => {
    const d = run('null-config');
    mkdirSync(d);
    for (const [text, msg] of [['null', /config\.json: expected a JSON object \(the config\), got null/], ['{"format":"aekit-model","formatVersion":1}', /config\.json: model: expected an object|config\.json: missing the "data" object/]] as const) {
      writeFileSync(join(d, 'config.json'), text);
      const r = aekit(['eval', d]);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, msg);
    }
  });

  test('batch norm statistics and dropout masks survive a checkpoint: a resumed run matches an uninterrupted one bit for bit', () => {
    const args = [...BASE, '--batch-norm', '--dropout', '0.2', '--seed', '5'];
    ok(aekit(['train', ...args, '--epochs', '3', '--out', run('bn-whole')]));
    ok(aekit(['train', ...args, '--epochs', '1', '--out', run('bn-split')]));
    ok(aekit(['train', '--resume', run('bn-split'), '--epochs', '3', '--quiet']));
    const a = readFileSync(join(run('bn-whole'), 'model.safetensors'));
    assert.ok(a.equals(readFileSync(join(run('bn-split'), 'model.safetensors'))));
    assert.match(a.subarray(0, 2000).toString('latin1'), /encoder\.norms\.0\.running_mean/);
  });

  test('a model directory saved with (28, 28) MNIST samples still loads and reads (1, 28, 28) MNIST', () => {
    const p = run('old-shape');
    ok(aekit(['train', '--limit', '500', '--hidden', '16', '--latent-dim', '2', '--epochs', '1', '--out', p, '--quiet']));
    const cfg = readJson(join(p, 'config.json'));
    cfg.data.sampleShape = [28, 28];
    writeFileSync(join(p, 'config.json'), JSON.stringify(cfg));
    const r = aekit(['eval', p, '--limit', '100', '--json']);
    ok(r);
    assert.equal(JSON.parse(r.stdout).n, 100);
    ok(aekit(['reconstruct', p, '--limit', '3', '--png', join(root, 'old.png')]));
  });

  test('an inputDim fixed in --config must match the data', () => {
    const cfg = join(root, 'dim.json');
    writeFileSync(cfg, JSON.stringify({ model: { inputDim: 5 } }));
    const r = aekit(['train', ...BASE, '--config', cfg, '--out', run('dim')]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /model\.inputDim is 5 but the data has 6 values per sample/);
  });

  test('leftover temporary files are removed when a run resumes', () => {
    const p = run('leftovers');
    ok(aekit(['train', ...BASE, '--epochs', '1', '--out', p]));
    writeFileSync(join(p, '.run.json.123.456.tmp'), '{');
    mkdirSync(join(p, 'checkpoints', '.epoch-0002.tmp-99'));
    ok(aekit(['train', '--resume', p, '--epochs', '2', '--quiet']));
    assert.ok(!existsSync(join(p, '.run.json.123.456.tmp')));
    assert.deepEqual(readdirSync(join(p, 'checkpoints')), ['epoch-0002']);
  });

  test('NaN in an NPY file is reported at the same row and column by train and eval', () => {
    const f = join(root, 'nan.npy');
    const x = new Float32Array(40 * 3).fill(0.5);
    x[7 * 3 + 2] = NaN;
    writeNpy(f, x, [40, 3]);
    const t = aekit(['train', '--data', f, '--loss', 'mse', '--out', run('nan-train')]);
    const e = aekit(['eval', run('model'), '--data', f]);
    assert.equal(t.status, 3, t.stderr);
    const where = /nan\.npy: row 8, column 3: value NaN is not finite/;
    assert.match(t.stderr, where);
    assert.match(e.stderr, where);
    assert.ok(!existsSync(join(run('nan-train'), 'run.json')), 'bad data is refused before the run directory is made');
  });

  test('a bad CSV cell is reported at the same line and column by train and eval', () => {
    const f = join(root, 'badcell.csv');
    writeFileSync(f, readFileSync(csv, 'utf8').replace(/\n([^\n]*)\n/, (_m, row: string) => `\n${row.replace(/^[^,]*/, '1e39')}\n`));
    const t = aekit(['train', ...BASE.map((a) => (a === csv ? f : a)), '--out', run('badcell')]);
    const e = aekit(['eval', run('model'), '--data', f, '--label-column', 'label']);
    const where = /badcell\.csv:2: column "a" \(1\): "1e39" is outside the float32 range/;
    assert.equal(t.status, 3, t.stderr);
    assert.equal(e.status, 3, e.stderr);
    assert.match(t.stderr, where);
    assert.match(e.stderr, where);
  });
});

function mkdirP(p: string): string {
  mkdirSync(p, { recursive: true });
  return p;
}
