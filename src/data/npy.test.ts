import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeNpy, parseNpy } from './npy.js';
import { loadNpy, readNpy, writeNpy } from './files.js';

const dir = mkdtempSync(join(tmpdir(), 'aekit-npy-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PYTHON = '/usr/bin/python3';
const numpyMissing = findNumpy();

function findNumpy(): string | false {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    execFileSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' });
    return false;
  } catch {
    return `${PYTHON} has no numpy`;
  }
}

function python(code: string): string {
  return execFileSync(PYTHON, ['-c', `import numpy as np\n${code}`], { cwd: dir, encoding: 'utf8' });
}

/** The NPY bytes of a header text (padded by us, version 1.0) followed by `body`. */
function npy(header: string, body: number[] = [], version = 1): Uint8Array {
  const lenBytes = version === 1 ? 2 : 4;
  const head = [0x93, ...Buffer.from('NUMPY'), version, 0, header.length & 255, header.length >> 8];
  if (lenBytes === 4) head.push(0, 0);
  return Uint8Array.from([...head, ...Buffer.from(header, 'latin1'), ...body]);
}

test('round trip of every writable dtype and of scalar, vector and 3-d shapes', () => {
  const cases: [Float32Array | Float64Array | Uint8Array | Int32Array, number[]][] = [
    [Float32Array.from([1.5, -2, 3.25, 0, 1e-30, -7]), [2, 3]],
    [Float64Array.from([Math.PI, -Math.E]), [2]],
    [Uint8Array.from([0, 255, 7, 8, 9, 10, 11, 12]), [2, 2, 2]],
    [Int32Array.from([-2147483648]), []],
    [new Float32Array(0), [0, 5]],
  ];
  for (const [data, shape] of cases) {
    const path = join(dir, 'rt.npy');
    writeNpy(path, data, shape);
    const back = readNpy(path);
    assert.deepEqual(back.shape, shape);
    assert.equal(back.data.constructor, data.constructor);
    assert.deepEqual(back.data, data);
    assert.equal(readFileSync(path).indexOf(0x0a) % 64, 63, 'the data starts on a 64-byte boundary');
  }
});

test('NumPy files of versions 1.0 and 2.0 and every readable dtype are read exactly', { skip: numpyMissing }, () => {
  python(`
a = np.arange(12, dtype='<f4').reshape(3, 4) / 7
np.save('f4.npy', a)
np.save('f8.npy', np.array([[1e-300, -2.5]], dtype='<f8'))
np.save('u1.npy', np.array([0, 200, 255], dtype=np.uint8))
np.save('i4.npy', np.array([-5, 2**31 - 1], dtype='<i4'))
np.save('i8.npy', np.array([[-(2**53)], [2**53]], dtype='<i8'))
with open('v2.npy', 'wb') as f:
    np.lib.format.write_array(f, np.ones((2, 1), dtype='<f4'), version=(2, 0))
`);
  const f4 = readNpy(join(dir, 'f4.npy'));
  assert.deepEqual(f4.shape, [3, 4]);
  assert.deepEqual(f4.data, Float32Array.from({ length: 12 }, (_, i) => Math.fround(i) / 7));
  assert.deepEqual(readNpy(join(dir, 'f8.npy')).data, Float64Array.from([1e-300, -2.5]));
  assert.deepEqual(readNpy(join(dir, 'u1.npy')).data, Uint8Array.from([0, 200, 255]));
  assert.deepEqual(readNpy(join(dir, 'i4.npy')).data, Int32Array.from([-5, 2 ** 31 - 1]));
  const i8 = readNpy(join(dir, 'i8.npy'));
  assert.equal(i8.dtype, '<i8');
  assert.deepEqual(i8.shape, [2, 1]);
  assert.deepEqual(i8.data, Float64Array.from([-(2 ** 53), 2 ** 53]));
  assert.deepEqual(readNpy(join(dir, 'v2.npy')), { shape: [2, 1], dtype: '<f4', data: Float32Array.from([1, 1]) });
});

test('NumPy reads the files we write', { skip: numpyMissing }, () => {
  writeNpy(join(dir, 'ours-f4.npy'), Float32Array.from([0.1, -1, 2, 3, 4, 5]), [2, 3]);
  writeNpy(join(dir, 'ours-u1.npy'), Uint8Array.from([9]), [1]);
  writeNpy(join(dir, 'ours-i4.npy'), Int32Array.from([-3]), []);
  const out = python(`
a = np.load('ours-f4.npy'); b = np.load('ours-u1.npy'); c = np.load('ours-i4.npy')
print(a.dtype, a.shape, a.flags['C_CONTIGUOUS'], a.ravel().tolist())
print(b.dtype, b.shape, b.tolist(), c.dtype, c.shape, int(c))
`);
  const f01 = Math.fround(0.1);
  assert.equal(out, `float32 (2, 3) True [${f01}, -1.0, 2.0, 3.0, 4.0, 5.0]\nuint8 (1,) [9] int32 () -3\n`);
});

test('NumPy refusals: Fortran order and big-endian data are named', { skip: numpyMissing }, () => {
  python(`
np.save('fortran.npy', np.asfortranarray(np.ones((2, 3), dtype='<f4')))
np.save('big.npy', np.ones(2, dtype='>f4'))
np.save('c8.npy', np.ones(2, dtype=np.complex64))
`);
  assert.throws(() => readNpy(join(dir, 'fortran.npy')), /fortran\.npy: the array is stored in Fortran order; save it in C order/);
  assert.throws(() => readNpy(join(dir, 'big.npy')), /big\.npy: byte 128: unsupported dtype '>f4' .*big-endian data is not supported, convert with \.astype\('<f4'\)/);
  assert.throws(() => readNpy(join(dir, 'c8.npy')), /unsupported dtype '<c8' \(supported: <f4 <f8 \|u1 <i4 <i8\)/);
});

test('header problems name the byte offset', () => {
  const ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }\n";
  assert.deepEqual(parseNpy(npy(ok, [0, 0, 0x80, 0x3f]), 'ok').data, Float32Array.from([1]));
  assert.throws(() => parseNpy(Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x58]), 'a.npy'), /^Error: a\.npy: byte 5: not an NPY file/);
  assert.throws(() => parseNpy(npy(ok, [], 3), 'v.npy'), /v\.npy: byte 6: unsupported NPY version 3\.0 \(supported: 1\.0, 2\.0\)/);
  assert.throws(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False 'shape': (1,)}"), 'c.npy'), /c\.npy: byte 50: NPY header: expected ',' or '}'/);
  assert.throws(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, x)}"), 's.npy'), /s\.npy: byte 64: NPY header: expected a non-negative integer/);
  assert.throws(() => parseNpy(npy("{'descr': '<f4', 'shape': (1,)}"), 'k.npy'), /k\.npy: byte 10: NPY header: 'fortran_order' must be True or False/);
  assert.throws(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}"), 'u.npy'), /NPY header: expected a string, True, False or a tuple/);
  assert.throws(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 'y'}"), 'u.npy'), /u\.npy: byte 10: NPY header: unknown key 'x'/);
  const long = npy(ok);
  assert.throws(() => parseNpy(long.subarray(0, 30), 't.npy'), /t\.npy: byte 30: truncated header: it needs 58 bytes from byte 10/);
});

test('truncated data, trailing bytes and inexact int64 are named with their offsets', () => {
  const f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
  assert.throws(() => parseNpy(npy(f4, [0, 0, 0, 0, 1]), 'd.npy'), /d\.npy: byte 73: truncated: shape \(2\) of <f4 needs 76 bytes, file has 73/);
  assert.throws(() => parseNpy(npy(f4, new Array(9).fill(0)), 'd.npy'), /d\.npy: byte 76: 1 trailing bytes after the data/);
  const i8 = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n";
  const body = [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0x20, 0]; // 1 and 2^53 + 1
  assert.throws(() => parseNpy(npy(i8, body), 'i.npy'), /i\.npy: byte 76: int64 value 9007199254740993 cannot be held exactly by a float64/);
});

test('writeNpy refuses a shape that does not match and unsupported arrays', () => {
  assert.throws(() => writeNpy(join(dir, 'bad.npy'), new Float32Array(5), [2, 3]), /shape \[2,3\] holds 6 values but data has 5/);
  assert.throws(() => writeNpy(join(dir, 'bad.npy'), new Float32Array(1), [-1]), /must hold non-negative integers/);
  assert.throws(() => encodeNpy(new Int16Array(1) as unknown as Int32Array, [1]), /data must be a Float32Array, Float64Array, Uint8Array or Int32Array/);
  assert.equal(existsSync(join(dir, 'bad.npy')), false);
});

test('a header past 64 KiB is written as version 2.0 and read back', () => {
  const shape = [...new Array<number>(30000).fill(1), 3]; // 30,000 dimensions: a 90 kB header
  const [head] = encodeNpy(Float32Array.from([1, 2, 3]), shape);
  assert.equal(head[6], 2);
  assert.equal(head.length % 64, 0);
  const path = join(dir, 'v2.npy');
  writeNpy(path, Float32Array.from([1, 2, 3]), shape);
  assert.deepEqual(readNpy(path).shape, shape);
});

test('loadNpy turns an [n, ...] array into a dataset; missing files are named', () => {
  const path = join(dir, 'ds.npy');
  writeNpy(path, Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [2, 2, 2]);
  const ds = loadNpy(path);
  assert.equal(ds.n, 2);
  assert.deepEqual(ds.sampleShape, [2, 2]);
  assert.deepEqual(ds.x, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  writeNpy(path, Float32Array.from([1, 2]), [2]);
  assert.deepEqual(loadNpy(path).sampleShape, [1]);
  writeNpy(path, Float32Array.from([1]), []);
  assert.throws(() => loadNpy(path), /shape \(\) holds no rows/);
  assert.throws(() => readNpy(join(dir, 'absent.npy')), { message: `no such file: ${join(dir, 'absent.npy')}` });
});

if (numpyMissing) console.log(`# NumPy interop tests skipped: ${numpyMissing}`);

test('a dimension past 2^53 is refused at its byte (it was read inexactly)', () => {
  assert.throws(() => parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 100000000000000000000), }"), 'd.npy'),
    /^Error: d\.npy: byte 64: NPY header: dimension 100000000000000000000 is larger than 2\^53 in /);
});

test('a zero dimension among dimensions whose product overflows still means no data (it read as NaN and passed every check)', () => {
  const shape = `(${new Array<number>(25).fill(2 ** 50).join(', ')}, 0)`;
  const header = `{'descr': '|u1', 'fortran_order': False, 'shape': ${shape}, }`;
  assert.throws(() => parseNpy(npy(header, [7]), 'z.npy'), { message: `z.npy: byte ${10 + header.length}: 1 trailing bytes after the data` });
  assert.equal(parseNpy(npy(header), 'z.npy').data.length, 0);
});

test('error messages quote at most 160 characters of a long header', () => {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'pad': '${'x'.repeat(3000)}', }`;
  assert.throws(() => parseNpy(npy(header), 'l.npy'), (err: Error) => err.message.length < 300 && /unknown key 'pad' in ".*… \(\d+ characters\)"$/.test(err.message));
});

test('a dtype named after an Object property is refused, not looked up on the prototype (found by the fuzzer)', () => {
  for (const descr of ['__proto__', 'constructor', 'toString']) {
    const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }`;
    assert.throws(() => parseNpy(npy(header, [0, 0, 0, 0]), 'p.npy'), (err: Error) => err.constructor === Error && err.message.startsWith(`p.npy: byte ${10 + header.length}: unsupported dtype '${descr}'`));
  }
});
