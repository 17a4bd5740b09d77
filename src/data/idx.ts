/**
 * IDX reader (the MNIST file format, LeCun et al.): a 4-byte magic `0 0 type rank`, `rank`
 * big-endian uint32 dimensions, then the values in C order, big-endian.
 */
import { byteCount, byteError, dims, elementCount } from '../util/bytes.js';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  shape: number[];
  data: IdxData;
}

export interface IdxHeader {
  shape: number[];
  /** 0x08 ubyte, 0x09 sbyte, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64. */
  typeCode: number;
  /** Byte offset of the first value. */
  dataStart: number;
}

interface IdxType {
  size: number;
  make: (n: number) => IdxData;
  get: (view: DataView, offset: number) => number;
}

const TYPES: Record<number, IdxType> = {
  0x08: { size: 1, make: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o) },
  0x09: { size: 1, make: (n) => new Int8Array(n), get: (v, o) => v.getInt8(o) },
  0x0b: { size: 2, make: (n) => new Int16Array(n), get: (v, o) => v.getInt16(o) },
  0x0c: { size: 4, make: (n) => new Int32Array(n), get: (v, o) => v.getInt32(o) },
  0x0d: { size: 4, make: (n) => new Float32Array(n), get: (v, o) => v.getFloat32(o) },
  0x0e: { size: 8, make: (n) => new Float64Array(n), get: (v, o) => v.getFloat64(o) },
};

/** Longest possible header: magic plus 255 dimensions. */
export const IDX_MAX_HEADER = 4 + 4 * 255;

/** Parse IDX bytes; `name` labels error messages. Byte data (types 08, 09) is a view of `bytes`, not a copy. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const { shape, typeCode, dataStart } = parseIdxHeader(bytes, bytes.length, name);
  const count = (bytes.length - dataStart) / TYPES[typeCode]!.size;
  // Single bytes have no byte order: view them in place rather than copy tens of megabytes.
  if (typeCode === 0x08) return { shape, data: new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart, count) };
  if (typeCode === 0x09) return { shape, data: new Int8Array(bytes.buffer, bytes.byteOffset + dataStart, count) };
  const type = TYPES[typeCode]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = type.make(count);
  for (let i = 0, o = dataStart; i < count; i++, o += type.size) data[i] = type.get(view, o);
  return { shape, data };
}

/**
 * Validate the header at the start of `head` (the first bytes of a file of `fileSize` bytes):
 * magic, type code, rank, and that the file holds exactly the data the shape promises.
 */
export function parseIdxHeader(head: Uint8Array, fileSize: number, name: string): IdxHeader {
  if (head.length < 4) throw byteError(name, head.length, `truncated: the 4-byte IDX magic needs 4 bytes, file has ${head.length}`);
  if (head[0] !== 0 || head[1] !== 0) {
    throw byteError(name, 0, `bad magic 0x${hex(head, 0, 4)}: an IDX file starts with two zero bytes`);
  }
  const typeCode = head[2]!;
  const type = TYPES[typeCode];
  if (type === undefined) throw byteError(name, 2, `unknown IDX type code 0x${hex(head, 2, 1)} (known: 08 09 0b 0c 0d 0e)`);
  const rank = head[3]!;
  const dataStart = 4 + 4 * rank;
  if (head.length < dataStart) throw byteError(name, head.length, `truncated header: rank ${rank} needs ${dataStart} bytes, file has ${head.length}`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i));
  const expected = dataStart + elementCount(shape) * type.size;
  if (fileSize < expected) throw byteError(name, fileSize, `truncated: shape [${dims(shape)}] needs ${byteCount(expected)} bytes, file has ${fileSize}`);
  if (fileSize > expected) throw byteError(name, expected, `${fileSize - expected} trailing bytes after the data of shape [${dims(shape)}]`);
  return { shape, typeCode, dataStart };
}

function hex(bytes: Uint8Array, start: number, len: number): string {
  return [...bytes.subarray(start, start + len)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
