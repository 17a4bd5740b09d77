/**
 * NPY files (NumPy's array format, versions 1.0 and 2.0): little-endian `<f4 <f8 |u1 <i4`
 * read and written, `<i8` read into a Float64Array, C order only.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { makeDataset, type Dataset } from './dataset.js';
import { byteCount, byteError, dims, elementCount, printable, latin1 } from '../util/bytes.js';
import { parseNpyHeader } from './npy-header.js';

export type NpyDType = '<f4' | '<f8' | '|u1' | '<i4' | '<i8';
export type NpyData = Float32Array | Float64Array | Uint8Array | Int32Array;

export interface NpyArray {
  shape: number[];
  /** The dtype in the file; `<i8` values arrive as a Float64Array (each checked to be exact). */
  dtype: NpyDType;
  data: NpyData;
}

interface DTypeInfo {
  size: number;
  make: (buffer: ArrayBuffer) => NpyData;
  get: (view: DataView, offset: number) => number;
}

const DTYPES: Record<NpyDType, DTypeInfo> = {
  '<f4': { size: 4, make: (b) => new Float32Array(b), get: (v, o) => v.getFloat32(o, true) },
  '<f8': { size: 8, make: (b) => new Float64Array(b), get: (v, o) => v.getFloat64(o, true) },
  '|u1': { size: 1, make: (b) => new Uint8Array(b), get: (v, o) => v.getUint8(o) },
  '<i4': { size: 4, make: (b) => new Int32Array(b), get: (v, o) => v.getInt32(o, true) },
  '<i8': { size: 8, make: (b) => new Float64Array(b.byteLength / 8), get: (v, o) => Number(v.getBigInt64(o, true)) },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Parse NPY bytes; `name` labels error messages. */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  const { header, dataStart } = readPreamble(bytes, name);
  const dtype = checkDType(header.descr, name, dataStart);
  if (header.fortranOrder) {
    throw new Error(`${name}: the array is stored in Fortran order; save it in C order (numpy.ascontiguousarray) first`);
  }
  const count = elementCount(header.shape);
  const info = DTYPES[dtype];
  const end = dataStart + count * info.size;
  if (bytes.length < end) {
    throw byteError(name, bytes.length, `truncated: shape (${dims(header.shape)}) of ${dtype} needs ${byteCount(end)} bytes, file has ${bytes.length}`);
  }
  if (bytes.length > end) throw byteError(name, end, `${bytes.length - end} trailing bytes after the data`);
  return { shape: header.shape, dtype, data: decode(bytes.subarray(dataStart, end), dtype, name, dataStart) };
}

function readPreamble(bytes: Uint8Array, name: string) {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw byteError(name, i, 'not an NPY file (the magic string \\x93NUMPY is missing)');
  }
  if (bytes.length < 8) throw byteError(name, bytes.length, 'truncated before the format version');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if ((major !== 1 && major !== 2) || minor !== 0) throw byteError(name, 6, `unsupported NPY version ${major}.${minor} (supported: 1.0, 2.0)`);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw byteError(name, bytes.length, 'truncated before the header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = 8 + lenBytes;
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart) throw byteError(name, bytes.length, `truncated header: it needs ${headerLen} bytes from byte ${headerStart}`);
  const text = latin1(bytes.subarray(headerStart, dataStart));
  return { header: parseNpyHeader(text, headerStart, name), dataStart };
}

function checkDType(descr: string, name: string, dataStart: number): NpyDType {
  if (descr === '<u1' || descr === '>u1') descr = '|u1';
  // hasOwn, not `in`: '__proto__' and 'constructor' are in every object.
  if (Object.hasOwn(DTYPES, descr)) return descr as NpyDType;
  const hint = descr.startsWith('>') ? `; big-endian data is not supported, convert with .astype('<${printable(descr.slice(1))}')` : '';
  throw byteError(name, dataStart, `unsupported dtype '${printable(descr)}' (supported: ${Object.keys(DTYPES).join(' ')})${hint}`);
}

function decode(raw: Uint8Array, dtype: NpyDType, name: string, dataStart: number): NpyData {
  const info = DTYPES[dtype];
  if (LITTLE_ENDIAN_HOST && dtype !== '<i8') {
    // Copy into a fresh buffer: the file's bytes need not sit at an aligned offset.
    const copy = new Uint8Array(raw.length);
    copy.set(raw);
    return info.make(copy.buffer);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = info.make(new ArrayBuffer(raw.length));
  for (let i = 0; i < out.length; i++) out[i] = info.get(view, i * info.size);
  if (dtype === '<i8') checkExactInt64(view, out, name, dataStart);
  return out;
}

function checkExactInt64(view: DataView, values: NpyData, name: string, dataStart: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // Past 2^53 only some integers survive the conversion; compare with the stored int64 itself.
    if (Math.abs(v) > Number.MAX_SAFE_INTEGER && BigInt(v) !== view.getBigInt64(i * 8, true)) {
      throw byteError(name, dataStart + i * 8, `int64 value ${view.getBigInt64(i * 8, true)} cannot be held exactly by a float64`);
    }
  }
}

/** The bytes of an NPY file: the preamble with its header, then the data. */
export function encodeNpy(data: NpyData, shape: readonly number[], name = 'encodeNpy'): [Uint8Array, Uint8Array] {
  const descr = descrOf(data);
  for (const d of shape) if (!Number.isInteger(d) || d < 0) throw new Error(`${name}: shape [${shape}] must hold non-negative integers`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`${name}: shape [${shape}] holds ${count} values but data has ${data.length}`);
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const version = header.length + 11 < 65536 ? 1 : 2;
  const preamble = version === 1 ? 10 : 12;
  // Pad with spaces and a newline so that the data starts on a 64-byte boundary.
  header = header.padEnd(Math.ceil((preamble + header.length + 1) / 64) * 64 - preamble - 1, ' ') + '\n';
  const head = new Uint8Array(preamble + header.length);
  head.set(MAGIC);
  head[6] = version;
  const view = new DataView(head.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) head[preamble + i] = header.charCodeAt(i);
  return [head, littleEndianBytes(data, descr)];
}

function descrOf(data: NpyData): NpyDType {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Int32Array) return '<i4';
  throw new Error('writeNpy: data must be a Float32Array, Float64Array, Uint8Array or Int32Array');
}

function littleEndianBytes(data: NpyData, descr: NpyDType): Uint8Array {
  if (LITTLE_ENDIAN_HOST || descr === '|u1') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  const size = DTYPES[descr].size;
  for (let i = 0; i < data.length; i++) {
    if (descr === '<f4') view.setFloat32(i * size, data[i]!, true);
    else if (descr === '<f8') view.setFloat64(i * size, data[i]!, true);
    else view.setInt32(i * size, data[i]!, true);
  }
  return out;
}

/** An NPY array of shape [n, ...sample] as a dataset of n unlabelled float32 rows (values are not rescaled). */
export function npyDataset({ shape, data }: NpyArray, name: string): Dataset {
  if (shape.length === 0 || shape[0] === 0) throw new Error(`${name}: shape (${dims(shape)}) holds no rows`);
  const sampleShape = shape.length === 1 ? [1] : shape.slice(1);
  const x = data instanceof Float32Array ? data : Float32Array.from(data);
  return makeDataset({ x, sampleShape, labels: null, source: name });
}
