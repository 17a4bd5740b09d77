import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PNG } from 'pngjs';
import type { ImageFolderDataset } from '../data/index.js';
import { dataSchema } from './config.js';
import { prepareData } from './data-setup.js';
import { parseConfig } from '../util/schema.js';

const root = mkdtempSync(join(tmpdir(), 'aekit-data-setup-'));
after(() => rmSync(root, { recursive: true, force: true }));

function writeGrey(path: string, width: number, height: number, value: number): void {
  const img = new PNG({ width, height });
  img.data = Buffer.alloc(width * height * 4, value);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, PNG.sync.write(img));
}

test('image folders: test images take the training size and labels; notes say what was resized', () => {
  for (const [i, cls] of ['b', 'b', 'c'].entries()) writeGrey(join(root, 'train', cls, `${i}.png`), 4, 2, 100);
  writeGrey(join(root, 'test', 'a', 'x.png'), 8, 4, 200);
  writeGrey(join(root, 'test', 'c', 'y.png'), 4, 2, 200);
  const cfg = parseConfig(dataSchema, { dataset: join(root, 'train'), testDataset: join(root, 'test'), valFraction: 0 }, 'data');
  const data = prepareData(cfg, 1);
  assert.deepEqual([data.sampleShape, data.train.n, data.test!.sampleShape], [[1, 2, 4], 3, [1, 2, 4]]);
  const test = data.test as ImageFolderDataset;
  assert.deepEqual([test.classNames, [...test.labels!]], [['b', 'c', 'a'], [2, 1]], 'c keeps its training label; a, new, comes after');
  assert.deepEqual(data.notes, [`${join(root, 'test')}: 1 of 2 images were resized to 4x2, the first training image's size (--image-size sets it)`]);
  const declared = prepareData({ ...cfg, imageSize: { width: 2, height: 1 } }, 1);
  assert.deepEqual([declared.sampleShape, declared.test!.sampleShape, declared.notes], [[1, 1, 2], [1, 1, 2], []]);
});

test('--train-on-test trains on the training rows followed by the test rows, labels kept; without test data it is refused', () => {
  const cfg = parseConfig(dataSchema, { dataset: 'mnist', limit: 50, valFraction: 0, trainOnTest: true }, 'data');
  const data = prepareData(cfg, 1);
  assert.deepEqual([data.train.n, data.test!.n, data.train.labels!.length], [10_050, 10_000, 10_050]);
  assert.deepEqual(data.train.x.subarray(50 * 784, 51 * 784), data.test!.x.subarray(0, 784), 'row 50 is the first test digit');
  const csv = join(root, 'rows.csv');
  writeFileSync(csv, '1,2\n3,4\n');
  assert.throws(() => prepareData(parseConfig(dataSchema, { dataset: csv, trainOnTest: true }, 'data'), 1), /--train-on-test needs test data; .*rows\.csv has none/);
});
