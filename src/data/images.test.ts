import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, test } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG, type ColorType } from 'pngjs';
import { crc32 } from '../util/png.js';
import { decodeImage, imageLimits } from './image-decode.js';
import { listImageFolder, readImageFolder } from './images.js';

const root = mkdtempSync(join(tmpdir(), 'aekit-images-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;

/** A fresh folder holding `files` (relative path → bytes). */
function folder(files: Record<string, Uint8Array | string>): string {
  const dir = join(root, `f${folders++}`);
  mkdirSync(dir);
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), bytes);
  }
  return dir;
}

/** A PNG written by pngjs: `samples` in the layout of `colorType` (grey, RGB, grey+alpha, RGBA) at 8 or 16 bits. */
function png(width: number, height: number, colorType: ColorType, samples: readonly number[], bitDepth: 8 | 16 = 8): Uint8Array {
  const img = new PNG({ width, height });
  // pngjs reads 16-bit input through a Uint16Array over the whole buffer, so it gets one of its own.
  img.data = bitDepth === 16 ? Buffer.from(Uint16Array.from(samples).buffer) : Buffer.from(samples);
  const alpha = colorType === 4 || colorType === 6;
  return PNG.sync.write(img, { colorType, inputColorType: colorType, bitDepth, inputHasAlpha: alpha });
}

const grey = (width: number, height: number, values: readonly number[]) => png(width, height, 0, values);

/** A PNG built chunk by chunk, for what pngjs cannot write (palettes, sub-byte depths, colour keys). */
function rawPng(ihdr: { width: number; height: number; depth: number; colorType: number }, rows: number[][], extra: [string, number[]][] = []): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(Buffer.from(type, 'latin1'), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
    return out;
  };
  const head = new Uint8Array(13);
  const view = new DataView(head.buffer);
  view.setUint32(0, ihdr.width);
  view.setUint32(4, ihdr.height);
  head.set([ihdr.depth, ihdr.colorType, 0, 0, 0], 8);
  const scanlines = Uint8Array.from(rows.flatMap((r) => [0, ...r])); // filter type 0 on every row
  return Buffer.concat([
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk('IHDR', head),
    ...extra.map(([type, data]) => chunk(type, Uint8Array.from(data))),
    chunk('IDAT', deflateSync(scanlines)), chunk('IEND', new Uint8Array(0)),
  ]);
}

function close(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

test('a grey PNG becomes values in [0, 1], sample shape [1, H, W], in row order', () => {
  const ds = readImageFolder(folder({ 'a.png': grey(3, 2, [0, 51, 102, 153, 204, 255]) }));
  assert.deepEqual([ds.n, ds.sampleShape, ds.labels, ds.classNames, ds.files], [1, [1, 2, 3], null, null, ['a.png']]);
  close(ds.x, [0, 0.2, 0.4, 0.6, 0.8, 1], 1e-7, 'x');
});

test('RGB to grey uses the BT.601 luma weights; RGB keeps its planes; grey repeats into three channels', () => {
  const rgb = png(2, 1, 2, [255, 0, 0, 10, 200, 40]);
  const dir = folder({ 'rgb.png': rgb });
  close(readImageFolder(dir).x, [0.299, (0.299 * 10 + 0.587 * 200 + 0.114 * 40) / 255], 1e-6, 'grey');
  const three = readImageFolder(dir, { channels: 3 });
  assert.deepEqual(three.sampleShape, [3, 1, 2]);
  close(three.x, [1, 10 / 255, 0, 200 / 255, 0, 40 / 255], 1e-7, 'planes R, G, B');
  close(readImageFolder(folder({ 'g.png': grey(2, 1, [51, 255]) }), { channels: 3 }).x, [0.2, 1, 0.2, 1, 0.2, 1], 1e-7, 'grey as RGB');
});

test('16-bit PNGs keep their precision; alpha is dropped', () => {
  const deep = readImageFolder(folder({ 'a.png': png(3, 1, 0, [0, 32768, 65535], 16) }));
  close(deep.x, [0, 32768 / 65535, 1], 1e-7, '16-bit grey'); // 32768/65535 lies between two 8-bit levels
  const rgba = readImageFolder(folder({ 'a.png': png(2, 1, 6, [255, 255, 255, 0, 0, 0, 255, 128]) }), { channels: 3 });
  close(rgba.x, [1, 0, 1, 0, 1, 1], 1e-7, 'RGBA as RGB, alpha ignored');
  close(readImageFolder(folder({ 'a.png': png(2, 1, 4, [102, 0, 255, 7]) })).x, [0.4, 1], 1e-7, 'grey+alpha');
});

test('palette PNGs at 2 bits per pixel, and grey with a tRNS colour key, read as their colours', () => {
  const palette = rawPng({ width: 4, height: 1, depth: 2, colorType: 3 }, [[0b00011011]], [['PLTE', [0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 255, 255]]]);
  close(readImageFolder(folder({ 'p.png': palette }), { channels: 3 }).x, [0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1], 1e-7, 'palette');
  const keyed = rawPng({ width: 3, height: 1, depth: 8, colorType: 0 }, [[10, 20, 30]], [['tRNS', [0, 20]]]);
  close(readImageFolder(folder({ 'k.png': keyed })).x, [10 / 255, 20 / 255, 30 / 255], 1e-7, 'keyed pixel keeps its grey');
  const oneBit = rawPng({ width: 8, height: 1, depth: 1, colorType: 0 }, [[0b10100000]]);
  close(readImageFolder(folder({ 'b.png': oneBit })).x, [1, 0, 1, 0, 0, 0, 0, 0], 0, '1-bit grey');
});

test('a JPEG round trip stays within the codec\'s error', () => {
  const [w, h] = [16, 8];
  const rgba = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([(i % w) * 16, Math.floor(i / w) * 32, 128, 255], 4 * i);
  const dir = folder({ 'a.jpg': jpeg.encode({ width: w, height: h, data: rgba }, 95).data, 'b.JPEG': jpeg.encode({ width: w, height: h, data: rgba }, 95).data });
  const ds = readImageFolder(dir, { channels: 3 });
  assert.deepEqual([ds.n, ds.sampleShape, ds.files], [2, [3, h, w], ['a.jpg', 'b.JPEG']]);
  const expected = [0, 1, 2].flatMap((c) => Array.from({ length: w * h }, (_, p) => rgba[4 * p + c]! / 255));
  close(ds.x.subarray(0, 3 * w * h), expected, 0.04, 'RGB after JPEG');
});

test('labels come from sorted class folders; subfolders belong to their class; hidden files are skipped', () => {
  const dir = folder({
    'dog/b.png': grey(1, 1, [2]), 'cat/z.png': grey(1, 1, [1]), 'dog/a/deep.png': grey(1, 1, [3]),
    'dog/.DS_Store': 'junk', '.git/HEAD': 'x', 'Ant/x.jpg': jpeg.encode({ width: 1, height: 1, data: Buffer.from([9, 9, 9, 255]) }).data,
  });
  const ds = readImageFolder(dir);
  assert.deepEqual(ds.classNames, ['Ant', 'cat', 'dog'], 'sorted by code unit: capitals first');
  assert.deepEqual(ds.files, ['Ant/x.jpg', 'cat/z.png', 'dog/a/deep.png', 'dog/b.png']);
  assert.deepEqual([...ds.labels!], [0, 1, 2, 2]);
  close(ds.x.subarray(1), [1 / 255, 3 / 255, 2 / 255], 1e-7, 'values follow the files');
  assert.deepEqual(listImageFolder(dir).classes, ['Ant', 'cat', 'dog', 'dog']);
  const limited = readImageFolder(dir, { limit: 2 });
  assert.deepEqual([limited.n, [...limited.labels!], limited.classNames], [2, [0, 1], ['Ant', 'cat', 'dog']]);
});

test('a test folder keeps the training labels; classes it adds come after them', () => {
  const dir = folder({ 'dog/a.png': grey(1, 1, [0]), 'bird/a.png': grey(1, 1, [0]), 'cat/a.png': grey(1, 1, [0]) });
  const ds = readImageFolder(dir, { classNames: ['cat', 'dog'] });
  assert.deepEqual([ds.classNames, ds.files, [...ds.labels!]], [['cat', 'dog', 'bird'], ['bird/a.png', 'cat/a.png', 'dog/a.png'], [2, 0, 1]]);
});

test('resizing: 4x4 to 2x2 averages blocks, growing is bilinear, and the first image sets the default size', () => {
  const pattern = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150];
  const dir = folder({ 'a.png': grey(2, 2, [0, 255, 255, 0]), 'b.png': grey(4, 4, pattern) });
  const ds = readImageFolder(dir);
  assert.deepEqual([ds.sampleShape, ds.resized], [[1, 2, 2], 1]);
  close(ds.x.subarray(4), [25, 45, 105, 125].map((v) => v / 255), 1e-6, '2x2 block means');
  const grown = readImageFolder(dir, { size: { width: 4, height: 2 } });
  assert.deepEqual([grown.sampleShape, grown.resized], [[1, 2, 4], 2]);
  // Width 2 → 4 with pixel centres at i + 0.5: sources -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
  close(grown.x.subarray(0, 8), [0, 0.25, 0.75, 1, 1, 0.75, 0.25, 0], 1e-6, 'bilinear 2x2 → 4x2');
  // 4 rows → 2 rows averages row pairs; 4 columns → 4 columns copies.
  close(grown.x.subarray(8), [20, 30, 40, 50, 100, 110, 120, 130].map((v) => v / 255), 1e-6, '4x4 → 4x2');
  // 3 → 2 shrinks by 1.5: output 0 covers pixel 0 and half of pixel 1.
  const odd = readImageFolder(folder({ 'a.png': grey(3, 1, [0, 90, 180]) }), { size: { width: 2, height: 1 } });
  close(odd.x, [(0 + 45) / 1.5 / 255, (45 + 180) / 1.5 / 255], 1e-6, '3 → 2 area weights');
});

test('a decoder sees the file\'s bytes, not its name; sizes are checked before decoding', () => {
  const asPng = readImageFolder(folder({ 'photo.png': jpeg.encode({ width: 2, height: 2, data: Buffer.alloc(16, 255) }).data }));
  close(asPng.x, [1, 1, 1, 1], 0.01, 'a JPEG named .png');
  const saved = imageLimits.maxPixels;
  imageLimits.maxPixels = 15;
  try {
    assert.throws(() => decodeImage(grey(4, 4, new Array(16).fill(0)), 'big.png'), /^Error: big\.png: the image is 4x4 pixels, over the limit of 15 pixels \(imageLimits\.maxPixels\)$/);
    assert.throws(() => decodeImage(jpeg.encode({ width: 8, height: 2, data: Buffer.alloc(64) }).data, 'big.jpg'), /big\.jpg: the image is 8x2 pixels, over the limit/);
  } finally {
    imageLimits.maxPixels = saved;
  }
});

test('corrupt, truncated and foreign files fail naming the file', () => {
  const good = grey(2, 2, [1, 2, 3, 4]);
  const flipped = good.slice();
  flipped[43] = flipped[43]! ^ 0xff; // inside IDAT's data (which starts at byte 41): its CRC no longer matches
  const photo = jpeg.encode({ width: 8, height: 8, data: Buffer.alloc(256, 100) }).data;
  const cases: [string, Uint8Array, RegExp][] = [
    ['bad-crc.png', flipped, /bad-crc\.png: not a valid PNG image \(.+\)$/],
    ['cut.png', good.subarray(0, 50), /cut\.png: not a valid PNG image \(.+\); the file does not end with an IEND chunk: it may be cut short$/],
    ['cut.jpg', photo.subarray(0, photo.length - 40), /cut\.jpg: not a valid JPEG image \(.+\); the file does not end with the end-of-image marker FFD9: it may be cut short$/],
    ['gif.png', Buffer.from('GIF89a\x01\x00\x01\x00'), /gif\.png: not a PNG or JPEG image \(it starts with bytes 47 49 46 38 39 61 01 00\)$/],
    ['empty.jpg', new Uint8Array(0), /empty\.jpg: empty file \(not a PNG or JPEG image\)$/],
  ];
  for (const [name, bytes, message] of cases) {
    const dir = folder({ 'ok.png': good, [name]: bytes });
    assert.throws(() => readImageFolder(dir), (err: Error) => err.constructor === Error && message.test(err.message) && err.message.includes(join(dir, name)), name);
  }
});

test('a folder that is not an image dataset is refused, saying why', () => {
  const img = grey(1, 1, [0]);
  const cases: [Record<string, Uint8Array | string>, RegExp][] = [
    [{}, /: the folder holds no PNG or JPEG images$/],
    [{ '.hidden.png': img }, /: the folder holds no PNG or JPEG images$/],
    [{ 'a.png': img, 'notes.txt': 'hi', 'cat/b.gif': 'x' }, /: files that are not \.png, \.jpg or \.jpeg images: "cat\/b\.gif", "notes\.txt"; move them out of the folder \(hidden files are skipped\)$/],
    [{ 'cat/a.png': img, 'b.png': img }, /: images lie directly in the folder \("b\.png"\) beside class folders \("cat"\); put every image in a class folder, whose name is its label, or none in any$/],
    [{ 'cat/a.png': img, 'dog/.keep': '' }, /: class folders that hold no images: "dog"$/],
    [Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`c/${i}.txt`, ''])), /: files that are not \.png, \.jpg or \.jpeg images: "c\/0\.txt", "c\/1\.txt", "c\/2\.txt", "c\/3\.txt", "c\/4\.txt", …; move/],
  ];
  for (const [files, message] of cases) {
    const dir = folder(files);
    assert.throws(() => readImageFolder(dir), (err: Error) => err.message.startsWith(dir) && message.test(err.message), JSON.stringify(Object.keys(files)));
  }
  assert.throws(() => readImageFolder(join(root, 'missing')), /^Error: no such folder: .*missing$/);
  const looped = folder({ 'cat/a.png': img });
  symlinkSync('..', join(looped, 'cat', 'up'));
  assert.throws(() => readImageFolder(looped), /cat\/up: the folder is reached a second time \(through a link\); each folder may be read once$/);
});

test('one Float32Array holds the dataset, rows in file order', () => {
  const dir = folder(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`${i}.png`, grey(2, 1, [i, 2 * i])])));
  const ds = readImageFolder(dir);
  assert.equal(ds.x.buffer.byteLength, 5 * 2 * 4);
  close(ds.x, [0, 0, 1, 2, 2, 4, 3, 6, 4, 8].map((v) => v / 255), 1e-7, 'rows');
  assert.deepEqual(readFileSync(join(dir, '0.png')), Buffer.from(grey(2, 1, [0, 0])), 'the files are left as they were');
});
