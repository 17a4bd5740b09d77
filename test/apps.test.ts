/** End-to-end tests of the applications through the real `aekit` binary: reduce, features, generate (and its alias sample), denoise. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { decodePng } from '../src/util/png.js';
import { aekit, repoRoot, tempDir } from './helpers.js';

const SMALL = ['--limit', '2000', '--hidden', '64', '--batch-size', '64', '--quiet'];
const root = tempDir('aekit-apps-');
const dense = join(root, 'dense');
const vae = join(root, 'vae');
const denoiser = join(root, 'denoiser');

/** Run aekit and parse its --json output, failing with stderr when it exits non-zero. */
function json(args: string[]): Record<string, any> {
  const r = aekit([...args, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The float32 values of an NPY file aekit wrote (its header is 128 bytes). */
function npy(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset + 128, b.byteOffset + b.length));
}

before(() => {
  for (const [dir, extra] of [[dense, ['--latent-dim', '8']], [vae, ['--model', 'vae', '--latent-dim', '2']], [denoiser, ['--model', 'denoising', '--noise-level', '0.5', '--latent-dim', '16']]] as const) {
    const r = aekit(['train', '--epochs', '3', '--out', dir, ...SMALL, ...extra]);
    assert.equal(r.status, 0, r.stderr);
  }
});

describe('aekit reduce', () => {
  test('codes to NPY and CSV, both reconstruction errors on the same rows, a labelled scatter', () => {
    const out = join(root, 'codes.npy');
    const r = json(['reduce', dense, '--limit', '300', '--out', out, '--pca', '8']);
    assert.equal(r.rows, 300);
    assert.equal(npy(out).length, 300 * 8);
    assert.equal(r.png, join(root, 'latent.png'), 'latent.png beside the codes');
    assert.match(r.projection, /^PCA of the 8-d codes: their first two principal components/);
    const png = decodePng(readFileSync(r.png));
    assert.deepEqual([png.width, png.height], [800, 640]);
    const colours = new Set<string>();
    for (let i = 0; i < png.data.length; i += png.channels) colours.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
    assert.ok(colours.has('31,119,180') && colours.has('23,190,207'), 'the legend shows label 0 and label 9 in their palette colours');
    const { model, pca } = r.error;
    assert.ok(model.sqErrPerSample > 5 && model.sqErrPerSample < 100, JSON.stringify(model));
    assert.ok(Math.abs(model.msePerFeature * 784 - model.sqErrPerSample) < 1e-9 * model.sqErrPerSample);
    assert.ok(pca.sqErrPerSample > 5 && pca.sqErrPerSample < 100 && pca.components === 8 && pca.explainedVariance > 0.2 && pca.explainedVariance < 1, JSON.stringify(pca));
    assert.match(pca.fittedOn, /train-images/, 'PCA is fitted on the training digits, not on the rows it is scored on');
    // The model's error equals what `eval` reports for the same rows.
    const e = json(['eval', dense, '--limit', '300']);
    assert.ok(Math.abs(e.sqErrPerImage - model.sqErrPerSample) < 1e-4 * model.sqErrPerSample, `${e.sqErrPerImage} against ${model.sqErrPerSample}`);
    const csv = join(root, 'codes.csv');
    assert.equal(aekit(['reduce', dense, '--limit', '5', '--out', csv, '--png', join(root, 'l.png'), '--quiet']).status, 0);
    assert.match(readFileSync(csv, 'utf8').split('\n')[0]!, /^z0,z1,z2,z3,z4,z5,z6,z7$/);
  });

  test('a 2-d code is drawn as it is; the text report names both errors', () => {
    const png = join(root, 'vae-latent.png');
    const r = aekit(['reduce', vae, '--limit', '200', '--png', png, '--pca', '2']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /autoencoder \(2-d code\) +\d+\.\d{4}/);
    assert.match(r.stdout, /PCA \(2 components\) +\d+\.\d{4}/);
    assert.match(r.stdout, /vae-latent\.png: the 2-d latent code itself \(z1, z2\), coloured by label/);
    assert.ok(existsSync(png));
  });

  test('bad input: a width the model does not take, an empty file, too many components', () => {
    const csv = join(root, 'narrow.csv');
    writeFileSync(csv, 'a,b,c\n1,2,3\n4,5,6\n');
    const narrow = aekit(['reduce', dense, '--data', csv]);
    assert.equal(narrow.status, 3);
    assert.match(narrow.stderr, /narrow\.csv has 3 features per sample but the model expects 784/);
    const empty = join(root, 'empty.csv');
    writeFileSync(empty, '');
    const e = aekit(['reduce', dense, '--data', empty]);
    assert.equal(e.status, 3);
    assert.match(e.stderr, /empty\.csv: empty file/);
    const k = aekit(['reduce', dense, '--limit', '10', '--pca', '785']);
    assert.equal(k.status, 2);
    assert.match(k.stderr, /--pca 785: the data has 784 features per sample, so at most 784 components/);
  });
});

describe('aekit features', () => {
  test('softmax and k-NN accuracy on latent codes, raw inputs and PCA codes of the same width', () => {
    const r = json(['features', dense, '--limit', '1000', '--k', '3', '--epochs', '10']);
    assert.deepEqual(r.scores.map((s: { representation: string; width: number }) => [s.representation, s.width]), [['latent', 8], ['raw', 784], ['pca', 8]]);
    assert.deepEqual([r.k, r.trainRows, r.testRows, r.numClasses], [3, 1000, 1000, 10]);
    for (const s of r.scores) assert.ok(s.softmax > 0.3 && s.softmax <= 1 && s.knn > 0.3 && s.knn <= 1, JSON.stringify(s));
    const raw = r.scores[1];
    assert.ok(raw.knn > 0.8 && raw.softmax > 0.75, `raw pixels: ${JSON.stringify(raw)}`);
    const text = aekit(['features', dense, '--limit', '300', '--epochs', '2']);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /representation +width +softmax +5-NN\nlatent codes +8 +0\.\d{4} +0\.\d{4}\nraw inputs +784 .*\nPCA codes +8 /);
  });

  test('data without labels, and a model that does not record its training data, are refused', () => {
    const nolabels = join(root, 'nolabels.csv');
    writeFileSync(nolabels, Array.from({ length: 5 }, () => Array.from({ length: 784 }, () => '0.5').join(',')).join('\n') + '\n');
    const r = aekit(['features', dense, '--test-data', nolabels]);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /nolabels\.csv: the test data has no labels, and the classifiers need one per row \(a CSV gives them with --label-column/);
    const bare = join(root, 'bare');
    mkdirSync(bare);
    cpSync(join(dense, 'model.safetensors'), join(bare, 'model.safetensors'));
    const cfg = JSON.parse(readFileSync(join(dense, 'config.json'), 'utf8'));
    delete cfg.run;
    writeFileSync(join(bare, 'config.json'), JSON.stringify(cfg));
    const unknown = aekit(['features', bare, '--test-data', 'mnist:test']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /does not record the data it was trained on: give --train-data FILE \(labelled rows\)/);
    const k = aekit(['features', dense, '--limit', '4', '--k', '5']);
    assert.equal(k.status, 2);
    assert.match(k.stderr, /--k 5: there are only 4 training rows/);
  });
});

describe('aekit generate (and its alias, sample)', () => {
  test('prior samples: seeded, NPY and a grid; sample is the same command', () => {
    const a = join(root, 'g.npy'), b = join(root, 's.npy'), png = join(root, 'g.png');
    const r = json(['generate', vae, '--n', '12', '--seed', '5', '--out', a, '--png', png]);
    assert.deepEqual([r.mode, r.rows, r.cols], ['prior', 12, 784]);
    assert.equal(aekit(['sample', vae, '--n', '12', '--seed', '5', '--out', b, '--quiet']).status, 0);
    assert.ok(readFileSync(a).equals(readFileSync(b)), 'aekit sample draws the same samples');
    assert.ok(decodePng(readFileSync(png)).width > 8 * 2 * 28);
    assert.match(aekit(['sample', '--help']).stdout, /^Usage: aekit sample .*\n\nAn alias of aekit generate\./);
  });

  test('--between I J: a path from one row\'s code to the other\'s, linear or slerp, any autoencoder', () => {
    const out = join(root, 'path.npy'), png = join(root, 'path.png');
    const r = json(['generate', vae, '--between', '1', '2', '--steps', '6', '--interp', 'slerp', '--out', out, '--png', png]);
    assert.deepEqual([r.mode, r.rows, r.between], ['slerp', 6, [1, 2]]);
    assert.equal(npy(out).length, 6 * 784);
    const strip = decodePng(readFileSync(png));
    assert.ok(strip.width > 8 * 2 * 28 && strip.height < 2 * 28 + 60, `one strip of 8 images: ${strip.width}×${strip.height}`);
    // The ends of a linear path decode the two rows' codes: their reconstructions.
    const lin = join(root, 'lin.npy'), rec = join(root, 'rec.npy');
    assert.equal(aekit(['generate', dense, '--between=1,3', '--steps', '3', '--out', lin, '--quiet']).status, 0);
    assert.equal(aekit(['reconstruct', dense, '--limit', '3', '--out', rec, '--quiet']).status, 0);
    const [p, q] = [npy(lin), npy(rec)];
    for (const row of [0, 2]) {
      let worst = 0;
      for (let i = 0; i < 784; i++) worst = Math.max(worst, Math.abs(p[row * 784 + i]! - q[row * 784 + i]!));
      assert.ok(worst < 1e-5, `path point ${row}: ${worst}`);
    }
  });

  test('a model without a prior, rows past the end and mixed flags are refused', () => {
    const d = aekit(['generate', dense, '--out', join(root, 'x.npy')]);
    assert.equal(d.status, 2);
    assert.match(d.stderr, /holds a dense model, which has no prior to sample from \(train one with --model vae\); --between I J interpolates/);
    const far = aekit(['generate', vae, '--between', '1', '20000', '--png', join(root, 'x.png')]);
    assert.equal(far.status, 3);
    assert.match(far.stderr, /--between 1 20000: .* has 10,000 rows/);
    const mixed = aekit(['generate', vae, '--between', '1', '2', '--n', '4', '--png', join(root, 'x.png')]);
    assert.equal(mixed.status, 2);
    assert.match(mixed.stderr, /--n sets the draws from the prior; with --between there are none/);
    const none = aekit(['generate', vae]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--out FILE\.npy \(or \.csv\) is required, or --png FILE/);
  });
});

describe('aekit denoise', () => {
  test('--noise corrupts clean digits; the denoiser lowers the MSE and raises the PSNR; NPY and a picture', () => {
    const out = join(root, 'clean.npy'), png = join(root, 'denoise.png');
    const r = json(['denoise', denoiser, '--limit', '300', '--noise', 'gaussian:0.5', '--out', out, '--png', png]);
    assert.deepEqual(r.noise, { kind: 'gaussian', level: 0.5, seed: 1, clip: true });
    assert.equal(r.denoiser, true);
    assert.equal(r.psnrPeak, 1);
    assert.ok(r.after.mse < 0.6 * r.before.mse && r.after.psnr > r.before.psnr + 2, JSON.stringify(r));
    assert.ok(Math.abs(r.before.psnr - 10 * Math.log10(1 / r.before.mse)) < 1e-9);
    assert.equal(npy(out).length, 300 * 784);
    const grid = decodePng(readFileSync(png));
    assert.ok(grid.height > 3 * 3 * 28 && grid.width > 10 * 3 * 28, `three rows of ten: ${grid.width}×${grid.height}`);
    const again = json(['denoise', denoiser, '--limit', '300', '--noise', 'gaussian:0.5']);
    assert.equal(again.after.mse, r.after.mse, 'a fixed seed gives the same noise');
  });

  test('--clean gives references for data that came noisy; --noise model uses the denoiser\'s own noise', () => {
    const noisyCsv = join(root, 'noisy.csv'), cleanCsv = join(root, 'clean.csv');
    const rows = (f: (i: number, j: number) => number) => Array.from({ length: 4 }, (_, i) => Array.from({ length: 784 }, (_, j) => f(i, j).toFixed(3)).join(',')).join('\n') + '\n';
    writeFileSync(cleanCsv, rows((i, j) => ((i + j) % 7) / 7));
    writeFileSync(noisyCsv, rows((i, j) => Math.min(1, ((i + j) % 7) / 7 + ((j * 13) % 5) / 20)));
    const r = json(['denoise', dense, '--data', noisyCsv, '--clean', cleanCsv]);
    assert.equal(r.denoiser, false);
    assert.ok(r.before.mse > 0.005 && r.before.mse < 0.02, JSON.stringify(r.before));
    const m = json(['denoise', denoiser, '--limit', '50', '--noise', 'model']);
    assert.equal(m.noise.kind, 'model');
    assert.ok(m.after.mse < m.before.mse);
  });

  test('bad input: an unknown noise, the model\'s noise on a model without one, rows that do not match', () => {
    const bad = aekit(['denoise', denoiser, '--noise', 'pink:0.2']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--noise: 'pink:0\.2' is not a noise: use gaussian:STD, mask:P or sp:P/);
    const model = aekit(['denoise', dense, '--noise', 'model']);
    assert.equal(model.status, 2);
    assert.match(model.stderr, /--noise model: .* holds a dense model, which has no training noise of its own/);
    const few = join(root, 'few.csv');
    writeFileSync(few, Array.from({ length: 784 }, () => '0').join(',') + '\n');
    const r = aekit(['denoise', dense, '--limit', '3', '--clean', few]);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /--clean .*few\.csv holds 1 rows of 784 values, --data .* 3 rows of 784: they must be the same rows/);
    const nothing = aekit(['denoise', dense]);
    assert.equal(nothing.status, 2);
    assert.match(nothing.stderr, /nothing to do/);
  });
});

test('the library example of aekit/apps runs as written (through the package\'s exports map)', () => {
  const source = readFileSync(join(repoRoot(), 'src', 'apps', 'index.ts'), 'utf8');
  const example = /@example\n([\s\S]*?)\n \*\//.exec(source)![1]!.split('\n').map((l) => l.replace(/^ \* ?/, '')).join('\n');
  // Written inside the package so that `import 'aekit/apps'` resolves to this package itself.
  const file = join(repoRoot(), 'dist', 'apps-example.mjs');
  writeFileSync(file, example.replace("'runs/keras'", JSON.stringify(dense)).replace('console.table(f.scores);', 'console.log(JSON.stringify(f.scores));'));
  const r = spawnSync(process.execPath, [file], { cwd: repoRoot(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [errors, scores] = r.stdout.trim().split('\n');
  const [ae, pca] = errors!.split(' ').map(Number);
  assert.ok(ae! > 5 && ae! < 100 && pca! > 5 && pca! < ae!, `squared errors ${errors}: a 32-component PCA beats an 8-d code trained for 3 epochs`);
  assert.deepEqual(JSON.parse(scores!).map((s: { representation: string }) => s.representation), ['latent', 'raw', 'pca']);
});

test('--help works on every application', () => {
  for (const c of ['reduce', 'features', 'generate', 'sample', 'denoise']) {
    const r = aekit([c, '--help']);
    assert.equal(r.status, 0, `${c}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^Usage: aekit ${c} `));
    assert.match(r.stdout, /--json/);
  }
});
