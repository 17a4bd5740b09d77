import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import {
  floatTensors, parseSafetensors, safetensor, serializeSafetensors, type SafetensorsTensor,
} from './safetensors.js';
import { readSafetensors, writeSafetensors } from './safetensors-file.js';

const PY = '/usr/bin/python3';
const TOOL = fileURLToPath(new URL('../../../tools/read_safetensors.py', import.meta.url)); // from dist/src/io
const dir = mkdtempSync(join(tmpdir(), 'aekit-st-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function pythonHas(modules: string): string | false {
  if (!existsSync(PY)) return `${PY} not found`;
  try {
    execFileSync(PY, ['-c', `import ${modules}`], { stdio: 'ignore' });
    return false;
  } catch {
    return `${PY} lacks ${modules}`;
  }
}

const sample = (): Record<string, SafetensorsTensor> => ({
  'encoder.layers.0.weight': safetensor([2, 3], Float32Array.of(1, -2.5, 3e-8, Math.fround(0.1), NaN, -Infinity)),
  'b.f64': safetensor([3], Float64Array.of(Math.PI, -1e300, 5e-324)),
  'c.i32': safetensor([2, 2], Int32Array.of(-2147483648, 2147483647, 0, -1)),
  'd.u8': safetensor([5], Uint8Array.of(0, 1, 127, 128, 255)),
  'e.i64': safetensor([2], BigInt64Array.of(-(2n ** 63n), 2n ** 62n + 1n)),
  scalar: safetensor([], Float32Array.of(42)),
  empty: safetensor([0, 3], new Float32Array(0)),
});

function headerOf(bytes: Uint8Array): { n: number; json: Record<string, { data_offsets?: [number, number] }> } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { n, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) };
}

/** A file from a header string and data bytes, exactly as given (no padding, no checks). */
function handMade(header: string, data: number[] = [], claimedLength?: bigint): Uint8Array {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, claimedLength ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

test('the bytes are exactly the published layout', () => {
  const bytes = serializeSafetensors({ a: safetensor([2], Float32Array.of(1, -2)) }, { k: 'v' });
  const json = '{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
  const expected = [padded.length, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode(padded), 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0];
  assert.deepEqual([...bytes], expected);
});

test('round trip keeps dtypes, shapes, bits and metadata; data starts 8-byte aligned in sorted order', () => {
  const path = join(dir, 'rt.safetensors');
  const tensors = sample();
  writeSafetensors(path, tensors, { format: 'pt', note: 'ünïcode ✓' });
  const bytes = readFileSync(path);
  const { n, json } = headerOf(bytes);
  assert.equal(n % 8, 0);
  const names = Object.keys(json).filter((k) => k !== '__metadata__');
  assert.deepEqual(names, Object.keys(tensors).sort());
  names.reduce((at, k) => (assert.equal(json[k]!.data_offsets![0], at), json[k]!.data_offsets![1]), 0);
  const back = readSafetensors(path);
  assert.deepEqual(back.metadata, { format: 'pt', note: 'ünïcode ✓' });
  for (const [name, t] of Object.entries(tensors)) {
    const r = back.tensors[name]!;
    assert.equal(r.dtype, t.dtype, name);
    assert.deepEqual(r.shape, t.shape, name);
    assert.equal(r.data.constructor, t.data.constructor, name);
    assert.deepEqual(new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), name);
  }
});

test('a view into a larger array writes only the view', () => {
  const big = Float64Array.of(9, 1, 2, 9);
  const back = parseSafetensors(serializeSafetensors({ v: safetensor([2], big.subarray(1, 3)) }));
  assert.deepEqual([...back.tensors.v!.data], [1, 2]);
  assert.deepEqual(back.metadata, {});
});

test('writing rejects inconsistent tensors', () => {
  assert.throws(() => serializeSafetensors({ w: safetensor([2, 2], new Float32Array(3)) }), /tensor 'w': shape \[2, 2\] holds 4 elements but data has 3/);
  const wrongArray = safetensor([1], new Float32Array(1));
  Reflect.set(wrongArray, 'data', new Float64Array(1)); // what an untyped JavaScript caller can pass
  assert.throws(() => serializeSafetensors({ w: wrongArray }), /dtype F32 needs a Float32Array, got Float64Array/);
  assert.throws(() => serializeSafetensors({ __metadata__: safetensor([1], new Float32Array(1)) }), /reserved/);
  assert.throws(() => serializeSafetensors({ w: safetensor([-1], new Float32Array(0)) }), /shape must be non-negative integers/);
});

test('reading rejects malformed files with the file name and reason', () => {
  const f32 = (name: string, shape: number[], b: number, e: number): string => `"${name}":{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[${b},${e}]}`;
  const zeros = (n: number): number[] => new Array<number>(n).fill(0);
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(4), /4 bytes, too short for the 8-byte header length/],
    [handMade('{}', [], 1000n), /header length 1000 \(bytes 0-7\) runs past the end of the file \(10 bytes\)/],
    [handMade('{}', [], 100_000_001n), /exceeds the 100000000-byte limit/],
    [handMade('{"a": '), /header \(from byte 8\) is not valid JSON/],
    [Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe), /not valid UTF-8/],
    [handMade('[1]'), /header must be a JSON object/],
    [handMade(`{${f32('a', [2], 0, 8)}}`, zeros(4)), /tensor 'a': data_offsets \[0, 8\] run past the end of the data buffer \(4 bytes from byte \d+\)/],
    [handMade(`{${f32('a', [2], 0, 8)},${f32('b', [2], 4, 12)}}`, zeros(12)), /tensor 'b' data_offsets \[4, 12\] overlap tensor 'a' \[0, 8\]/],
    [handMade(`{${f32('a', [1], 0, 4)},${f32('b', [1], 8, 12)}}`, zeros(12)), /gap in the data buffer: bytes \[4, 8\)/],
    [handMade(`{${f32('a', [1], 0, 4)}}`, zeros(8)), /data buffer has 8 bytes but the tensors cover 4/],
    [handMade(`{${f32('a', [3], 0, 8)}}`, zeros(8)), /shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] span 8/],
    [handMade('{"a":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}', zeros(4)), /tensor 'a': unknown dtype "F33"/],
    [handMade('{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}', zeros(4)), /dtype BF16 is not supported \(aekit reads F32, F64, I32, U8, I64\)/],
    [handMade(`{${f32('a', [1], 0, 4)}, ${f32('a', [1], 4, 8)}}`, zeros(8)), /header names 'a' twice/],
    [handMade(`{"__metadata__":{"k":1},${f32('a', [1], 0, 4)}}`, zeros(4)), /__metadata__: value of 'k' must be a string/],
    [handMade(`{${f32('a', [-1], 0, 4)}}`, zeros(4)), /shape must be an array of non-negative integers/],
    [handMade(`{${f32('a', [1], 4, 0)}}`, zeros(4)), /data_offsets must be \[begin, end\] with 0 <= begin <= end, got \[4,0\]/],
    [handMade('{"a":[1]}'), /tensor 'a': entry must be an object with dtype, shape and data_offsets/],
  ];
  for (const [bytes, re] of cases) assert.throws(() => parseSafetensors(bytes, 'bad.safetensors'), (err: Error) => err.message.startsWith('bad.safetensors: ') && re.test(err.message), String(re));
});

test('keys that only look duplicated (nested, or inside strings) are fine', () => {
  const header = '{"__metadata__":{"a":"x","b":"\\"a\\":"},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
  const back = parseSafetensors(handMade(header, [7]));
  assert.deepEqual([...back.tensors.a!.data], [7]);
  assert.deepEqual(back.metadata, { a: 'x', b: '"a":' });
});

test('floatTensors passes float weights and names any other dtype', () => {
  const file = parseSafetensors(serializeSafetensors({ w: safetensor([1], Float32Array.of(1)) }));
  assert.deepEqual([...floatTensors(file, 'm').keys()], ['w']);
  const ints = parseSafetensors(serializeSafetensors({ step: safetensor([1], BigInt64Array.of(3n)) }));
  assert.throws(() => floatTensors(ints, 'm.safetensors'), /m\.safetensors: tensor 'step' has dtype I64; weights must be F32 or F64/);
});

test('an independent Python reader (struct + json + numpy) reads our file exactly', { skip: pythonHas('numpy') }, () => {
  const path = join(dir, 'for-python.safetensors');
  const tensors = sample();
  writeSafetensors(path, tensors, { producer: 'aekit' });
  const out = JSON.parse(execFileSync(PY, [TOOL, path, '--json'], { encoding: 'utf8' })) as {
    tensors: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>; metadata: Record<string, string>;
  };
  assert.deepEqual(out.metadata, { producer: 'aekit' });
  const asPython = (v: number | bigint): number | string => (typeof v === 'bigint' ? String(v) : Number.isFinite(v) ? v : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  for (const [name, t] of Object.entries(tensors)) {
    const p = out.tensors[name]!;
    assert.deepEqual([p.dtype, p.shape], [t.dtype, t.shape], name);
    assert.deepEqual(p.values, Array.from(t.data as ArrayLike<number | bigint>, asPython), name);
  }
});

test('PyTorch loads our weights through the Python reader', { skip: pythonHas('numpy, torch') }, () => {
  const path = join(dir, 'for-torch.safetensors');
  writeSafetensors(path, { 'encoder.fc.weight': safetensor([2, 3], Float32Array.of(1, 2, 3, 4, 5, 6)), 'encoder.fc.bias': safetensor([2], Float32Array.of(0.5, -0.5)) });
  const script = [
    'import sys, json, torch', `sys.path.insert(0, ${JSON.stringify(join(TOOL, '..'))})`, 'from read_safetensors import read_torch',
    'fc = torch.nn.Linear(3, 2); fc.load_state_dict({k.split(".", 2)[2]: v for k, v in read_torch(sys.argv[1]).items()}, strict=True)',
    'print(json.dumps(fc(torch.tensor([[1.0, 0.0, -1.0]])).tolist()))',
  ].join('\n');
  assert.deepEqual(JSON.parse(execFileSync(PY, ['-c', script, path], { encoding: 'utf8' })), [[1 - 3 + 0.5, 4 - 6 - 0.5]]);
});

test('we read a file written by the Python side', { skip: pythonHas('numpy') }, () => {
  const path = join(dir, 'from-python.safetensors');
  const script = [
    'import sys, numpy as np', `sys.path.insert(0, ${JSON.stringify(join(TOOL, '..'))})`, 'from read_safetensors import write_safetensors',
    'write_safetensors(sys.argv[1], {',
    '  "w": np.arange(6, dtype=np.float32).reshape(2, 3) / 4, "d": np.array([np.pi, -0.0]),',
    '  "i": np.array([[-7, 2**31 - 1]], dtype=np.int32), "l": np.array([-2**63, 2**63 - 1], dtype=np.int64),',
    '  "u": np.array([3, 250], dtype=np.uint8), "s": np.float32(1.5),',
    '}, {"framework": "numpy"})',
  ].join('\n');
  execFileSync(PY, ['-c', script, path]);
  const { tensors, metadata } = readSafetensors(path);
  assert.deepEqual(metadata, { framework: 'numpy' });
  const seen = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, [t.dtype, t.shape, Array.from(t.data as ArrayLike<number | bigint>)]]));
  assert.deepEqual(seen, {
    w: ['F32', [2, 3], [0, 0.25, 0.5, 0.75, 1, 1.25]],
    d: ['F64', [2], [Math.PI, -0]],
    i: ['I32', [1, 2], [-7, 2147483647]],
    l: ['I64', [2], [-(2n ** 63n), 2n ** 63n - 1n]],
    u: ['U8', [2], [3, 250]],
    s: ['F32', [], [1.5]],
  });
});

test('a Python file with a dtype we do not read fails naming it', { skip: pythonHas('numpy') }, () => {
  const path = join(dir, 'f16.safetensors');
  const script = `import sys, numpy as np; sys.path.insert(0, ${JSON.stringify(join(TOOL, '..'))}); from read_safetensors import write_safetensors; write_safetensors(sys.argv[1], {"h": np.ones(2, np.float16)})`;
  execFileSync(PY, ['-c', script, path]);
  assert.throws(() => readSafetensors(path), /f16\.safetensors: byte \d+: tensor 'h': dtype F16 is not supported/);
});

test('special files are refused unread (reading /dev/zero would grow memory without bound)', { skip: !existsSync('/dev/zero') }, () => {
  const t0 = performance.now();
  assert.throws(() => readSafetensors('/dev/zero'), { message: '/dev/zero: is not a regular file (a character device)' });
  assert.throws(() => readSafetensors(dir), { message: `${dir}: is not a regular file (a directory)` });
  assert.ok(performance.now() - t0 < 1000);
});

test('a tensor named __proto__ is kept as a tensor, written and read', () => {
  const tensors: Record<string, SafetensorsTensor> = Object.fromEntries([['__proto__', safetensor([2], Uint8Array.of(7, 9))]]);
  const back = parseSafetensors(serializeSafetensors(tensors), 'p.safetensors');
  assert.deepEqual(Object.keys(back.tensors), ['__proto__']);
  assert.equal(Object.getPrototypeOf(back.tensors), Object.prototype);
  assert.deepEqual([...back.tensors['__proto__']!.data], [7, 9]);
});

test('errors in a tensor entry name the byte where the entry starts, and cut what they quote', () => {
  const header = `{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[${2 ** 50}],"data_offsets":[0,4]}}`;
  const bytes = handMade(header, [0, 0, 0, 0]);
  // The key "w" starts at character 26 of the header, which starts at byte 8.
  assert.throws(() => parseSafetensors(bytes, 'w.safetensors'), { message: `w.safetensors: byte 34: tensor 'w': shape [${2 ** 50}] of F32 needs ${2 ** 52} bytes but data_offsets [0, 4] span 4` });
  const long = 'x'.repeat(5000);
  assert.throws(() => parseSafetensors(handMade(`{"${long}":{"dtype":"U9","shape":[1],"data_offsets":[0,1]}}`, [0]), 'n.safetensors'),
    (err: Error) => err.message.length < 300 && /^n\.safetensors: byte 9: tensor 'x{80}… \(5000 characters\)': unknown dtype "U9"$/.test(err.message));
});

test('a zero dimension among dimensions whose product overflows holds no bytes (it read as NaN)', () => {
  const shape = [...new Array<number>(25).fill(2 ** 50), 0];
  const back = parseSafetensors(handMade(`{"e":{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[0,0]}}`), 'z.safetensors');
  assert.deepEqual(back.tensors.e!.shape, shape);
  assert.equal(back.tensors.e!.data.length, 0);
});
