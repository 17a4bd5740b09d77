import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { crc32, decodePng, encodePng, readPng, writePng, type PngImage } from './png.js';

const PY = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'aekit-png-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function hasPython(module: string): boolean {
  if (!existsSync(PY)) return false;
  try {
    execFileSync(PY, ['-c', `import ${module}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function randomImage(width: number, height: number, channels: PngImage['channels'], seed: number): PngImage {
  const data = new Uint8Array(width * height * channels);
  let s = seed;
  // Smooth gradients plus noise, so every filter type wins on some row.
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (i % 7 === 0 ? s >>> 24 : (i * 3 + Math.floor(i / (width * channels)) * 5)) & 0xff;
  }
  return { width, height, channels, data };
}

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('encode then decode returns the same pixels for every channel count', () => {
  for (const channels of [1, 2, 3, 4] as const) {
    const img = randomImage(17, 9, channels, channels);
    const back = decodePng(encodePng(img));
    assert.deepEqual({ ...back, data: [...back.data] }, { ...img, data: [...img.data] });
  }
});

test('a 1x1 image round-trips through a file', () => {
  const path = join(dir, 'one.png');
  writePng(path, { width: 1, height: 1, channels: 3, data: Uint8Array.of(10, 20, 30) });
  assert.deepEqual([...readPng(path).data], [10, 20, 30]);
});

test('encodePng rejects data of the wrong length', () => {
  assert.throws(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) }), /11 bytes but 2x2x3 needs 12/);
});

test('a corrupted CRC is reported with the chunk and byte offset', () => {
  const bytes = encodePng(randomImage(4, 4, 1, 7));
  bytes[19] = bytes[19]! ^ 0xff; // a byte inside the IHDR data
  assert.throws(() => decodePng(bytes, 'x.png'), /^Error: x\.png: CRC mismatch in chunk IHDR at byte 8$/);
});

test('bad signature, truncation and unsupported formats fail naming the reason', () => {
  assert.throws(() => decodePng(new Uint8Array(20)), /bad signature/);
  const good = encodePng(randomImage(4, 4, 3, 1));
  assert.throws(() => decodePng(good.subarray(0, good.length - 12)), /no IEND chunk/);
  assert.throws(() => decodePng(handMadePng(0, 16, 0, 2, 2)), /unsupported bit depth 16/);
  assert.throws(() => decodePng(handMadePng(3, 8, 0, 2, 2)), /unsupported colour type 3 \(palette/);
  assert.throws(() => decodePng(handMadePng(2, 8, 1, 2, 2)), /interlaced/);
});

/** A minimal PNG written without our encoder: one IHDR, one IDAT of `rows` (filter byte included), IEND. */
function handMadePng(colour: number, depth: number, interlace: number, w: number, h: number, rows?: Uint8Array): Uint8Array {
  const chunkOf = (type: string, body: Uint8Array): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([depth, colour, 0, 0, interlace], 8);
  const idat = deflateSync(rows ?? new Uint8Array(h * (1 + w * 8)));
  const sig = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);
  return Buffer.concat([sig, chunkOf('IHDR', ihdr), chunkOf('IDAT', idat), chunkOf('IEND', new Uint8Array(0))]);
}

test('every filter type decodes (rows filtered by hand)', () => {
  // 3x6 grey image; row y uses filter y % 5 and the raw bytes below were filtered by hand.
  const pixels = [
    [10, 20, 30], [15, 25, 35], [5, 200, 100], [255, 0, 128], [1, 2, 3], [9, 9, 9],
  ];
  const filtered = [
    [0, 10, 20, 30], // None
    [1, 15, 10, 10], // Sub: x - left
    [2, 246, 175, 65], // Up: x - up, mod 256
    [3, 253, 29, 78], // Average: predictors floor((left+up)/2) = 2, 227, 50
    [4, 2, 2, 131], // Paeth: predictors 255 (up), 0 (up), 128 (up)
    [0, 9, 9, 9],
  ];
  const img = decodePng(handMadePng(0, 8, 0, 3, 6, Uint8Array.from(filtered.flat())));
  assert.deepEqual([...img.data], pixels.flat());
});

// Skipped without Pillow on a developer's machine; CI installs python3-pil, so there it must run.
test('Pillow reads our PNGs and we read Pillow PNGs', { skip: !process.env.CI && !hasPython('PIL') && `${PY} lacks Pillow` }, () => {
  const modes = { 1: 'L', 2: 'LA', 3: 'RGB', 4: 'RGBA' } as const;
  for (const channels of [1, 2, 3, 4] as const) {
    const img = randomImage(23, 11, channels, 40 + channels);
    const ours = join(dir, `ours-${channels}.png`), theirs = join(dir, `theirs-${channels}.png`);
    writePng(ours, img);
    // Pillow decodes ours, checks mode/size/bytes, and re-encodes with its own encoder.
    const script = [
      'import sys; from PIL import Image',
      'im = Image.open(sys.argv[1]); im.load()',
      'open(sys.argv[3] + ".raw", "wb").write(im.tobytes()); print(im.mode, im.size[0], im.size[1])',
      'im.save(sys.argv[3], optimize=True)',
    ].join('\n');
    const out = execFileSync(PY, ['-c', script, ours, modes[channels], theirs], { encoding: 'utf8' }).trim();
    assert.equal(out, `${modes[channels]} 23 11`);
    assert.deepEqual([...readFileSync(theirs + '.raw')], [...img.data]);
    assert.deepEqual([...readPng(theirs).data], [...img.data]);
  }
});

test('a chunk type that is not four letters is refused, escaped in the message', () => {
  const bytes = encodePng(randomImage(2, 2, 1, 3));
  bytes.set([0x00, 0x47, 0x0d, 0x0a], 12); // the IHDR type becomes "\0G\r\n"
  assert.throws(() => decodePng(bytes, 'c.png'), { message: 'c.png: invalid chunk type "\\u0000G\\r\\n" at byte 8 (a type is four ASCII letters)' });
});

test('image data that inflates past what the header declares fails without inflating it all', () => {
  const bomb = handMadePng(0, 8, 0, 1, 1, new Uint8Array(64 * 2 ** 20)); // 64 MiB of zeros, about 64 KiB deflated
  const before = process.memoryUsage().arrayBuffers;
  assert.throws(() => decodePng(bomb, 'bomb.png'), { message: 'bomb.png: image data inflates to more than the 2 bytes a 1x1 image holds' });
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 2 ** 20, 'inflated no more than the image holds');
});

test('readPng refuses special files (a character device, a FIFO with no writer) at once, as every reader does', () => {
  const t0 = performance.now();
  assert.throws(() => readPng('/dev/zero'), /\/dev\/zero: is not a regular file \(a character device\)$/);
  const fifo = join(mkdtempSync(join(tmpdir(), 'aekit-png-')), 'pipe.png');
  execFileSync('mkfifo', [fifo]);
  assert.throws(() => readPng(fifo), /pipe\.png: is not a regular file \(a FIFO \(named pipe\)\)$/);
  assert.ok(performance.now() - t0 < 2000);
});
