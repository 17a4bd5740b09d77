import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseIdx } from './idx.js';
import { readIdx } from './files.js';

const dir = mkdtempSync(join(tmpdir(), 'aekit-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** IDX bytes for `shape` with `body` already encoded big-endian. */
function idx(typeCode: number, shape: number[], body: number[]): Uint8Array {
  const head = [0, 0, typeCode, shape.length];
  for (const d of shape) head.push(d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...head, ...body]);
}

test('reads unsigned bytes with their shape', () => {
  const path = join(dir, 'u8.idx');
  writeFileSync(path, idx(0x08, [2, 3], [0, 1, 2, 253, 254, 255]));
  const a = readIdx(path);
  assert.deepEqual(a.shape, [2, 3]);
  assert.ok(a.data instanceof Uint8Array);
  assert.deepEqual([...a.data], [0, 1, 2, 253, 254, 255]);
});

test('decodes every type code big-endian', () => {
  assert.deepEqual([...parseIdx(idx(0x09, [2], [0xff, 0x7f]), 'i8').data], [-1, 127]);
  assert.deepEqual([...parseIdx(idx(0x0b, [2], [0x01, 0x02, 0xff, 0xfe]), 'i16').data], [258, -2]);
  assert.deepEqual([...parseIdx(idx(0x0c, [1], [0xff, 0xff, 0xff, 0xfd]), 'i32').data], [-3]);
  const f32 = parseIdx(idx(0x0d, [1], [0x3f, 0xc0, 0, 0]), 'f32').data;
  assert.ok(f32 instanceof Float32Array);
  assert.deepEqual([...f32], [1.5]);
  const f64 = parseIdx(idx(0x0e, [1], [0xc0, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]), 'f64').data;
  assert.ok(f64 instanceof Float64Array);
  assert.equal(f64[0], -Math.PI);
});

test('a rank-0 file holds one value', () => {
  assert.deepEqual(parseIdx(idx(0x08, [], [42]), 's'), { shape: [], data: Uint8Array.from([42]) });
});

test('bad magic, unknown type code, truncation and trailing bytes name the file and byte offset', () => {
  assert.throws(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), 'm.idx'), /^Error: m\.idx: byte 0: bad magic 0x01000801/);
  assert.throws(() => parseIdx(idx(0x07, [1], [0]), 't.idx'), /^Error: t\.idx: byte 2: unknown IDX type code 0x07/);
  assert.throws(() => parseIdx(Uint8Array.from([0, 0]), 's.idx'), /s\.idx: byte 2: truncated/);
  assert.throws(() => parseIdx(Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 1]), 'h.idx'), /h\.idx: byte 8: truncated header: rank 2 needs 12 bytes/);
  assert.throws(() => parseIdx(idx(0x0c, [2], [0, 0, 0, 1, 0, 0]), 'd.idx'), /d\.idx: byte 14: truncated: shape \[2\] needs 16 bytes, file has 14/);
  assert.throws(() => parseIdx(idx(0x08, [2], [1, 2, 3]), 'x.idx'), /x\.idx: byte 10: 1 trailing bytes after the data of shape \[2\]/);
});

test('a missing file says no such file', () => {
  const path = join(dir, 'absent.idx');
  assert.throws(() => readIdx(path), { message: `no such file: ${path}` });
  assert.throws(() => readIdx(dir), { message: `${dir}: is not a regular file (a directory)` });
});

test('a zero dimension among dimensions whose product overflows still means no data (it read as NaN and passed every check)', () => {
  const shape = [...new Array<number>(39).fill(0xffffffff), 0];
  assert.throws(() => parseIdx(idx(0x08, shape, [1, 2, 3]), 'z.idx'),
    { message: 'z.idx: byte 164: 3 trailing bytes after the data of shape [4294967295,4294967295,4294967295,4294967295,4294967295,4294967295,4294967295,4294967295,… (40 dimensions)]' });
  assert.deepEqual(parseIdx(idx(0x08, shape, []), 'z.idx').data.length, 0);
  assert.throws(() => parseIdx(idx(0x08, new Array<number>(39).fill(0xffffffff), [1]), 'i.idx'), /i\.idx: byte 161: truncated: shape \[.*\] needs more than 2\^53 bytes, file has 161$/);
});
