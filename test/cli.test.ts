/** End-to-end tests of the real `aekit` binary: a small training run, the model commands, and bad input. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { decodePng } from '../src/util/png.js';
import { aekit, CLI, repoRoot, tempDir } from './helpers.js';

test('the built CLI is executable, as `npx aekit` runs it through the shell', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8'));
  const bin = join(repoRoot(), pkg.bin.aekit);
  assert.ok(statSync(bin).mode & 0o100, `${bin} lacks the executable bit (npm run build sets it)`);
  assert.match(readFileSync(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

const SMALL = ['--limit', '3000', '--hidden', '64', '--latent-dim', '8', '--batch-size', '64', '--quiet'];

describe('aekit train on MNIST, then the model commands', () => {
  const dir = join(tempDir(), 'run');
  before(() => {
    const r = aekit(['train', '--epochs', '2', '--out', dir, ...SMALL]);
    assert.equal(r.status, 0, r.stderr);
  });

  test('the run directory holds the model, events, metrics and pictures', () => {
    for (const f of ['config.json', 'model.safetensors', 'events.jsonl', 'metrics.json', 'reconstructions.png', 'loss.png', 'run.json']) {
      assert.ok(existsSync(join(dir, f)), `missing ${f}`);
    }
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.deepEqual([cfg.data.sampleShape, cfg.model.inputDim], [[1, 28, 28], 784], 'MNIST samples are (C, H, W); the dense model takes their 784 values');
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    assert.deepEqual([run.status, run.epochs, run.epochsDone, run.checkpoint], ['finished', 2, 2, 'checkpoints/epoch-0002']);
    const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    for (const k of ['backend', 'epochs', 'samplesPerSec', 'wallSeconds']) assert.ok(k in m, `metrics.json lacks ${k}`);
    assert.equal(m.epochs, 2);
    assert.ok(m.test.mse > 0 && m.test.mse < 0.1, `test mse ${m.test.mse}`);
    assert.ok(m.test.bce > 0 && m.test.bce < 0.3, `test bce ${m.test.bce}`);
    assert.ok(Math.abs(m.test.sqErrPerImage - m.test.mse * 784) < 1e-6 * m.test.sqErrPerImage + 1e-9);
    const grid = decodePng(readFileSync(join(dir, 'reconstructions.png')));
    assert.ok(grid.width > 10 * 28 && grid.height > 2 * 28, `grid ${grid.width}×${grid.height}`);
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events[0].type, 'run_start');
    const ends = events.filter((e) => e.type === 'epoch_end');
    assert.equal(ends.length, 2);
    assert.ok(Math.abs(ends[1].terms.recon - ends[1].trainLoss) < 1e-6, 'the dense AE has one term, its reconstruction loss');
    assert.equal(typeof ends[1].valTerms.recon, 'number');
    assert.deepEqual(Object.keys(m.terms), ['train', 'val', 'test']);
    assert.ok(Math.abs(m.terms.test.recon - m.test.loss) < 1e-6);
    assert.equal(events.at(-1).type, 'run_end');
  });

  test('eval --json reports the same test metrics', () => {
    const r = aekit(['eval', dir, '--json', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    assert.equal(out.n, 10000);
    assert.ok(Math.abs(out.mse - m.test.mse) < 1e-9, `${out.mse} vs ${m.test.mse}`);
  });

  test('encode → decode reproduces reconstruct', () => {
    const z = join(dir, 'z.npy');
    const x = join(dir, 'x.npy');
    const r = join(dir, 'r.npy');
    assert.equal(aekit(['encode', dir, '--limit', '20', '--out', z, '--quiet']).status, 0);
    assert.equal(aekit(['decode', dir, '--input', z, '--out', x, '--quiet']).status, 0);
    assert.equal(aekit(['reconstruct', dir, '--limit', '20', '--out', r, '--quiet']).status, 0);
    const a = readFileSync(x);
    const b = readFileSync(r);
    assert.equal(a.length, b.length);
    const fa = new Float32Array(a.buffer, a.byteOffset + 128, (a.length - 128) / 4);
    const fb = new Float32Array(b.buffer, b.byteOffset + 128, (b.length - 128) / 4);
    let worst = 0;
    for (let i = 0; i < fa.length; i++) worst = Math.max(worst, Math.abs(fa[i]! - fb[i]!));
    assert.ok(worst < 1e-6, `max difference ${worst}`);
  });

  test('encode writes CSV with one column per latent unit', () => {
    const out = join(dir, 'z.csv');
    assert.equal(aekit(['encode', dir, '--limit', '5', '--out', out, '--quiet']).status, 0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 6);
    assert.equal(lines[0], 'z0,z1,z2,z3,z4,z5,z6,z7');
  });

  test('info lists layers and parameter counts', () => {
    const r = aekit(['info', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /encoder\.layers\.0\s+Dense\(784→64, relu\)/);
    // 784·64+64 + 64·8+8 + 8·64+64 + 64·784+784
    assert.match(r.stdout, /total parameters: 102,296/);
    assert.match(r.stdout, /^run: finished, 2 of 2 epochs checkpointed$/m);
  });

  test('a width mismatch between data and model fails with exit 3', () => {
    const csv = join(dir, 'narrow.csv');
    writeFileSync(csv, 'a,b,c\n1,2,3\n4,5,6\n');
    const r = aekit(['eval', dir, '--data', csv]);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /narrow\.csv has 3 features per sample but the model expects 784/);
  });

  test('a second train into the same directory is refused', () => {
    const r = aekit(['train', '--epochs', '1', '--out', dir, ...SMALL]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /already holds a run: resume it with --resume/);
  });
});

describe('bad input fails with one clear line and a stable exit code', () => {
  const cases: [string, string[], number, RegExp][] = [
    ['unknown flag', ['train', '--epoch', '1'], 2, /unknown flag --epoch .*did you mean --epochs/],
    ['invalid value', ['train', '--lr', '-1'], 2, /--lr: -1 must be > 0/],
    ['not a number', ['train', '--batch-size', 'many'], 2, /--batch-size: "many" is not a number/],
    ['missing file', ['train', '--data', '/nonexistent/data.csv'], 3, /no such file: \/nonexistent\/data\.csv/],
    ['unknown command', ['trian'], 2, /unknown command "trian"/],
    ['no model directory', ['eval'], 2, /needs a model directory/],
    ['not a model directory', ['eval', '/tmp'], 3, /not a model directory: no config\.json/],
  ];
  for (const [name, args, code, msg] of cases) {
    test(name, () => {
      const r = aekit(args);
      assert.equal(r.status, code, r.stderr);
      assert.match(r.stderr, msg);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }

  test('a CSV with a non-numeric cell names file, line and column', () => {
    const d = tempDir();
    const csv = join(d, 'bad.csv');
    writeFileSync(csv, 'x,y\n1,2\n3,abc\n');
    const r = aekit(['train', '--data', csv, '--epochs', '1', '--out', join(d, 'run'), '--loss', 'mse']);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /bad\.csv:3.*"abc" is not a number/);
    assert.ok(!existsSync(join(d, 'run', 'model.safetensors')), 'nothing half-written');
  });

  test('NaN in the data is refused before training', () => {
    const d = tempDir();
    const csv = join(d, 'nan.csv');
    writeFileSync(csv, 'x,y\n1,2\n3,NaN\n');
    const r = aekit(['train', '--data', csv, '--epochs', '1', '--out', join(d, 'run'), '--loss', 'mse']);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /nan\.csv/);
    assert.match(r.stderr, /NaN/);
  });

  test('an invalid value in --config names the key', () => {
    const d = tempDir();
    const cfg = join(d, 'c.json');
    writeFileSync(cfg, JSON.stringify({ train: { epochs: 0 } }));
    const r = aekit(['train', '--config', cfg]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /train\.epochs: 0 must be ≥ 1/);
  });

  test('--help works on every command', () => {
    for (const c of ['train', 'eval', 'encode', 'decode', 'reconstruct', 'sample', 'info']) {
      const r = aekit([c, '--help']);
      assert.equal(r.status, 0, `${c}: ${r.stderr}`);
      assert.match(r.stdout, /^Usage: aekit /);
    }
  });
});

describe('a diverging run stops with the step and layer named, keeping the last good checkpoint', () => {
  test('SGD with a huge learning rate', () => {
    const dir = join(tempDir(), 'run');
    // A linear network under SGD diverges geometrically once the rate is too large (ReLUs would just die).
    const base = ['--optimizer', 'sgd', '--loss', 'mse', '--activation', 'linear', '--output-activation', 'linear', ...SMALL];
    assert.equal(aekit(['train', '--epochs', '1', '--lr', '0.01', '--out', dir, ...base]).status, 0);
    const ckptBefore = readFileSync(join(dir, 'checkpoints', 'epoch-0001', 'model.safetensors'));
    const r = aekit(['train', '--resume', dir, '--epochs', '3', '--lr', '1e12', '--quiet']);
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /non-finite loss at epoch 2, step \d+: layer (en|de)coder\.layers\.\d+ (has non-finite (weight|bias) values|produced non-finite outputs)/);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    assert.deepEqual([run.status, run.epochsDone, run.checkpoint], ['diverged', 1, 'checkpoints/epoch-0001']);
    assert.match(run.message, /non-finite loss at epoch 2/);
    assert.ok(readFileSync(join(dir, 'checkpoints', 'epoch-0001', 'model.safetensors')).equals(ckptBefore), 'the last good checkpoint is kept');
  });
});

test('a reader that closes the pipe early (aekit info | head -1) ends aekit quietly', () => {
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI()}" info --preset hinton2006 | head -c 10 >/dev/null; echo "status \${PIPESTATUS[0]}"`], { encoding: 'utf8' });
  assert.match(r.stdout, /^status 0$/m, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled/);
});

describe('a VAE trains through the same trainer and samples from its prior', () => {
  const dir = join(tempDir(), 'vae');
  before(() => {
    const r = aekit(['train', '--model', 'vae', '--epochs', '2', '--out', dir, '--kl-warmup', '0.5', ...SMALL]);
    assert.equal(r.status, 0, r.stderr);
  });

  test('metrics and events carry its recon and kl terms; the loss is their sum at β = 1 after warm-up', () => {
    const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    const t = m.terms.test;
    assert.ok(t.recon > 0 && t.kl > 0, JSON.stringify(t));
    assert.ok(Math.abs(t.recon + t.kl - m.test.loss) < 1e-3 * m.test.loss);
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).model.kind, 'vae');
  });

  test('eval --nll-samples estimates the negative log-likelihood; a dense model is refused', () => {
    const r = aekit(['eval', dir, '--limit', '50', '--nll-samples', '20', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.nll > 50 && out.nll < 800 && out.nllSamples === 20, JSON.stringify(out));
    const again = JSON.parse(aekit(['eval', dir, '--limit', '50', '--nll-samples', '20', '--json']).stdout);
    assert.equal(again.nll, out.nll, 'a fixed seed');
  });

  test('aekit sample writes seeded samples and a grid; a dense model is refused', () => {
    const out = join(dir, 's.npy');
    const png = join(dir, 's.png');
    assert.equal(aekit(['sample', dir, '--n', '10', '--seed', '3', '--out', out, '--png', png, '--quiet']).status, 0);
    const first = readFileSync(out);
    assert.equal(first.length, 128 + 10 * 784 * 4);
    assert.ok(decodePng(readFileSync(png)).width > 8 * 28);
    assert.equal(aekit(['sample', dir, '--n', '10', '--seed', '3', '--out', out, '--quiet']).status, 0);
    assert.ok(readFileSync(out).equals(first), 'the same seed gives the same samples');
    const dense = join(tempDir(), 'dense');
    assert.equal(aekit(['train', '--epochs', '1', '--out', dense, ...SMALL]).status, 0);
    const r = aekit(['sample', dense, '--out', out]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /holds a dense model, which has no prior to sample from \(train one with --model vae\)/);
    const e = aekit(['eval', dense, '--nll-samples', '5']);
    assert.equal(e.status, 2);
    assert.match(e.stderr, /--nll-samples: .* holds a dense model, which has no density to estimate/);
  });
});

/** A float32 NPY file of rows × cols zeros (a data set without labels, or latent codes). */
function zerosNpy(path: string, rows: number, cols: number): string {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const text = header + ' '.repeat(128 - 10 - header.length - 1) + '\n';
  writeFileSync(path, Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([text.length, 0]), Buffer.from(text), Buffer.alloc(rows * cols * 4)]));
  return path;
}

describe('a conditional VAE (cvae) trains on labelled data and draws the class it is asked for', () => {
  const root = tempDir('aekit-cvae-');
  const dir = join(root, 'cvae');
  before(() => {
    const r = aekit(['train', '--model', 'cvae', '--epochs', '2', '--out', dir, ...SMALL]);
    assert.equal(r.status, 0, r.stderr);
  });

  test('metrics carry recon and kl; samples.png holds one row per class', () => {
    const m = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    assert.ok(m.terms.test.recon > 0 && m.terms.test.kl > 0 && Math.abs(m.terms.test.recon + m.terms.test.kl - m.test.loss) < 1e-3 * m.test.loss, JSON.stringify(m.terms));
    const png = decodePng(readFileSync(join(dir, 'samples.png')));
    assert.ok(png.height > 10 * 2 * 28 && png.height < 11 * 2 * 28 + 80, `10 rows of 56-pixel digits, got a height of ${png.height}`);
  });

  test('sample --class K draws K; without --class, sample i is of class i mod 10; a class out of range is refused', () => {
    const three = join(root, 'three.npy');
    const png = join(root, 'three.png');
    assert.equal(aekit(['sample', dir, '--class', '3', '--n', '64', '--seed', '1', '--out', three, '--png', png, '--quiet']).status, 0);
    const bytes = readFileSync(three);
    assert.equal(bytes.length, 128 + 64 * 784 * 4);
    assert.ok(decodePng(readFileSync(png)).width > 8 * 28);
    const cycle = join(root, 'cycle.npy');
    assert.equal(aekit(['sample', dir, '--n', '64', '--seed', '1', '--out', cycle, '--quiet']).status, 0);
    const row = (b: Buffer, i: number) => b.subarray(128 + i * 784 * 4, 128 + (i + 1) * 784 * 4);
    assert.ok(row(readFileSync(cycle), 3).equals(row(bytes, 3)), 'row 3 of the cycle is class 3, drawn from the same z');
    assert.ok(!row(readFileSync(cycle), 4).equals(row(bytes, 4)), 'row 4 of the cycle is class 4');
    const far = aekit(['sample', dir, '--class', '10', '--out', cycle]);
    assert.equal(far.status, 2);
    assert.match(far.stderr, /--class 10: the model's classes are 0 to 9/);
  });

  test('decode needs --class; eval, encode and reconstruct take the labels from the data; eval --nll-samples gives −log p(x | y)', () => {
    const z = join(root, 'z.npy');
    assert.equal(aekit(['encode', dir, '--limit', '5', '--out', z, '--quiet']).status, 0);
    const missing = aekit(['decode', dir, '--input', z, '--out', join(root, 'x.npy')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /holds a cvae model, which decodes a code as a class: pass --class K \(0 to 9\)/);
    assert.equal(aekit(['decode', dir, '--input', z, '--class', '7', '--out', join(root, 'x.npy'), '--quiet']).status, 0);
    assert.equal(aekit(['reconstruct', dir, '--limit', '5', '--out', join(root, 'r.npy'), '--quiet']).status, 0);
    const e = aekit(['eval', dir, '--limit', '50', '--nll-samples', '20', '--json']);
    assert.equal(e.status, 0, e.stderr);
    const out = JSON.parse(e.stdout);
    assert.ok(out.nll > 50 && out.nll < 800 && out.nll <= out.loss + 1, JSON.stringify(out));
  });

  test('data without labels is refused before anything is written (train) or read further (eval); --class on a model with no classes too', () => {
    const npy = zerosNpy(join(root, 'nolabels.npy'), 20, 784);
    const out = join(root, 'refused');
    const t = aekit(['train', '--model', 'cvae', '--data', npy, '--out', out, '--epochs', '1', '--hidden', '8']);
    assert.equal(t.status, 2);
    assert.match(t.stderr, /nolabels\.npy: has no labels, but a cvae model is conditioned on the class of each sample \(0 to 9\); train it on labelled data/);
    assert.ok(!existsSync(out), 'no run directory');
    const e = aekit(['eval', dir, '--data', npy]);
    assert.equal(e.status, 3);
    assert.match(e.stderr, /nolabels\.npy: has no labels, but a cvae model is conditioned on the class of each sample/);
    const dense = join(root, 'dense');
    assert.equal(aekit(['train', '--epochs', '1', '--out', dense, ...SMALL]).status, 0);
    const d = aekit(['decode', dense, '--input', zerosNpy(join(root, 'codes.npy'), 2, 8), '--class', '1', '--out', join(root, 'd.npy')]);
    assert.equal(d.status, 2);
    assert.match(d.stderr, /--class: .* holds a dense model, which is not conditioned on a class \(train one with --model cvae\)/);
  });
});
