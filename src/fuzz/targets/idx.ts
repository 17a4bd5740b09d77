/** IDX arrays (the MNIST format) read by readIdx. */
import { type IdxArray } from '../../data/idx.js';
import { readIdx } from '../../data/files.js';
import { checkShape, type FuzzTarget } from '../target.js';

const CLASS_OF: Record<number, string> = {
  0x08: 'Uint8Array', 0x09: 'Int8Array', 0x0b: 'Int16Array', 0x0c: 'Int32Array', 0x0d: 'Float32Array', 0x0e: 'Float64Array',
};

/** IDX bytes: magic, big-endian dimensions, then `body` (already big-endian). */
export function idxBytes(typeCode: number, shape: readonly number[], body: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + body.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, typeCode, shape.length]);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(body, 4 + 4 * shape.length);
  return out;
}

/** Seed IDX files, shared with the `--data` target. */
export function idxSeeds(): Uint8Array[] {
  return [
    idxBytes(0x08, [2, 3], [0, 1, 2, 253, 254, 255]),
    idxBytes(0x09, [2], [0xff, 0x7f]),
    idxBytes(0x0b, [2, 1], [0x01, 0x02, 0xff, 0xfe]),
    idxBytes(0x0c, [1], [0xff, 0xff, 0xff, 0xfd]),
    idxBytes(0x0d, [1, 1, 2], [0x3f, 0xc0, 0, 0, 0x7f, 0x80, 0, 0]),
    idxBytes(0x0e, [1], [0xc0, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]),
    idxBytes(0x08, [], [42]),
  ];
}

/** Resize the data to what the dimensions promise (when that is small), so that edited shapes reach the reader's success path. */
export function repairIdx(bytes: Uint8Array): Uint8Array {
  const size = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 }[bytes[2] ?? 0];
  const dataStart = 4 + 4 * (bytes[3] ?? 0);
  if (size === undefined || bytes.length < dataStart) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: bytes[3]! }, (_, i) => view.getUint32(4 + 4 * i));
  const count = shape.includes(0) ? 0 : shape.reduce((a, b) => a * b, 1);
  if (count * size > 65536) return bytes;
  const out = new Uint8Array(dataStart + count * size).fill(0x3f);
  out.set(bytes.subarray(0, out.length));
  return out;
}

export const idx: FuzzTarget<IdxArray> = {
  name: 'idx',
  ext: '.idx',
  seeds: idxSeeds,
  repair: repairIdx,
  run: (_bytes, path) => readIdx(path),
  check: ({ shape, data }, bytes) =>
    data.constructor.name !== CLASS_OF[bytes[2]!] ? `type code 0x${bytes[2]!.toString(16)} arrived as a ${data.constructor.name}` : checkShape(shape, data.length),
};
