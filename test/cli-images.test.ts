/** End-to-end: `aekit train --data DIR` on a folder of generated PNG and JPEG images, then the model commands on images. */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { aekit, tempDir } from './helpers.js';

/** An RGB image of `w` × `h` whose colours depend on `seed`, as RGBA bytes. */
function pixels(w: number, h: number, seed: number): Buffer {
  const rgba = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([(i * 37 + seed * 50) % 256, (i * 11 + seed * 90) % 256, seed % 2 ? 220 : 30, 255], 4 * i);
  return rgba;
}

function writePng(path: string, w: number, h: number, seed: number): void {
  const img = new PNG({ width: w, height: h });
  img.data = pixels(w, h, seed);
  writeFileSync(path, PNG.sync.write(img));
}

describe('aekit train on a folder of images', () => {
  const root = tempDir();
  const [data, testData, run] = [join(root, 'images'), join(root, 'test-images'), join(root, 'run')];
  let train: ReturnType<typeof aekit>;
  before(() => {
    for (const [i, cls] of ['cat', 'cat', 'cat', 'dog', 'dog', 'dog'].entries()) {
      mkdirSync(join(data, cls), { recursive: true });
      if (i === 4) writeFileSync(join(data, cls, `${i}.jpg`), jpeg.encode({ width: 8, height: 6, data: pixels(8, 6, i) }, 90).data);
      else writePng(join(data, cls, `${i}.png`), i === 5 ? 16 : 8, i === 5 ? 12 : 6, i); // one image twice the size
    }
    mkdirSync(testData);
    for (let i = 0; i < 3; i++) writePng(join(testData, `t${i}.png`), 4, 3, i);
    train = aekit(['train', '--data', data, '--test-data', testData, '--channels', '3', '--epochs', '1', '--hidden', '16', '--latent-dim', '4', '--batch-size', '2', '--val-fraction', '0', '--out', run]);
  });

  test('the run finishes and records the sample shape [C, H, W]', () => {
    assert.equal(train.status, 0, train.stderr);
    const cfg = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
    assert.deepEqual([cfg.data.sampleShape, cfg.model.inputDim], [[3, 6, 8], 144]);
    assert.deepEqual([cfg.run.data.dataset, cfg.run.data.channels, cfg.run.data.imageSize], [data, 3, null]);
    const status = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')).status;
    assert.equal(status, 'finished');
    const m = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
    assert.ok(m.test.mse > 0 && m.test.mse < 1, `test mse ${m.test.mse}`);
  });

  test('images resized to a size nobody declared are reported on stderr', () => {
    assert.match(train.stderr, /images: 1 of 6 images were resized to 8x6, the first training image's size \(--image-size sets it\)/);
    assert.match(train.stderr, /test-images: 3 of 3 images were resized to 8x6/);
  });

  test('eval and encode read image folders at the model\'s sample shape', () => {
    const r = aekit(['eval', run, '--json', '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual([JSON.parse(r.stdout).data, JSON.parse(r.stdout).n], [testData, 3]);
    const z = join(root, 'z.csv');
    assert.equal(aekit(['encode', run, '--data', data, '--out', z, '--quiet']).status, 0);
    assert.equal(readFileSync(z, 'utf8').trim().split('\n').length, 1 + 6);
  });

  test('--image-size resizes every image; a bad size or a file that is not an image fails with one line', () => {
    const sized = aekit(['train', '--data', data, '--image-size', '4x3', '--epochs', '1', '--hidden', '8', '--latent-dim', '2', '--out', join(root, 'sized'), '--quiet']);
    assert.equal(sized.status, 0, sized.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'sized', 'config.json'), 'utf8')).data.sampleShape, [1, 3, 4]);
    const bad = aekit(['train', '--data', data, '--image-size', '4by3']);
    assert.deepEqual([bad.status, bad.stderr.trim()], [2, 'aekit train: --image-size: "4by3" is not WIDTHxHEIGHT (e.g. 28x28)']);
    writeFileSync(join(data, 'dog', 'notes.txt'), 'not an image');
    const junk = aekit(['train', '--data', data, '--epochs', '1', '--out', join(root, 'junk')]);
    assert.equal(junk.status, 3, junk.stderr);
    assert.equal(junk.stderr.trim(), `aekit train: ${data}: files that are not .png, .jpg or .jpeg images: "dog/notes.txt"; move them out of the folder (hidden files are skipped)`);
  });

  test('--channels on data that is not an image folder is refused', () => {
    const csv = join(root, 't.csv');
    writeFileSync(csv, '1,2\n3,4\n');
    const r = aekit(['train', '--data', csv, '--channels', '3', '--epochs', '1', '--out', join(root, 'csv')]);
    assert.deepEqual([r.status, r.stderr.trim()], [2, `aekit train: --channels and --image-size apply to folders of images; ${csv} is not one`]);
  });
});
