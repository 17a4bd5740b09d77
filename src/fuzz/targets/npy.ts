/** NPY arrays read by readNpy, and as datasets by loadNpy. */
import type { Dataset } from '../../data/dataset.js';
import { encodeNpy, type NpyArray, type NpyDType } from '../../data/npy.js';
import { loadNpy, readNpy } from '../../data/files.js';
import { checkDataset, checkShape, type FuzzTarget } from '../target.js';

const CLASS_OF: Record<NpyDType, string> = {
  '<f4': 'Float32Array', '<f8': 'Float64Array', '|u1': 'Uint8Array', '<i4': 'Int32Array', '<i8': 'Float64Array',
};

/** An NPY file written by hand, for what encodeNpy does not write (int64, version 2.0). */
function handMade(header: string, body: Uint8Array, version: 1 | 2): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const out = new Uint8Array(pre + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), pre);
  out.set(body, pre + header.length);
  return out;
}

function join([head, body]: [Uint8Array, Uint8Array]): Uint8Array {
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** Seed NPY files, shared with the `--data` targets. */
export function npySeeds(): Uint8Array[] {
  const i8 = new Uint8Array(new BigInt64Array([-3n, 2n ** 53n, 7n, 0n]).buffer);
  return [
    join(encodeNpy(Float32Array.of(1.5, -2, 3.25, 0, 1e-30, -7), [2, 3])),
    join(encodeNpy(Float64Array.of(Math.PI, -Math.E), [2])),
    join(encodeNpy(Uint8Array.of(0, 255, 7, 8, 9, 10, 11, 12), [2, 2, 2])),
    join(encodeNpy(Int32Array.of(-5), [])),
    join(encodeNpy(new Float32Array(0), [0, 5])),
    handMade("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }    \n", i8, 1),
    handMade('{"descr": "<f4", "fortran_order": False, "shape": (1L,)}\n', new Uint8Array(new Float32Array([2.5]).buffer), 2),
  ];
}

/**
 * Set the header length to end at the header's newline, and resize the data to what the header's
 * shape and dtype promise (when that is small), so that edits inside the header reach the parser.
 */
export function repairNpy(bytes: Uint8Array): Uint8Array {
  const version = bytes[6];
  const pre = version === 1 ? 10 : 12;
  const newline = bytes.indexOf(0x0a, pre);
  if ((version !== 1 && version !== 2) || newline < 0 || (version === 1 && newline + 1 - pre > 0xffff)) return bytes;
  const dataBytes = promisedBytes(Buffer.from(bytes.subarray(pre, newline)).toString('latin1'));
  const out = new Uint8Array(newline + 1 + (dataBytes ?? bytes.length - newline - 1)).fill(0x40);
  out.set(bytes.subarray(0, out.length));
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, newline + 1 - pre, true);
  else view.setUint32(8, newline + 1 - pre, true);
  return out;
}

/** Bytes of data a header's shape and dtype call for, read loosely; null when unclear or large. */
function promisedBytes(header: string): number | null {
  const shape = /['"]shape['"]\s*:\s*\(([\d\s,L]*)\)/.exec(header)?.[1];
  const size = /['"]descr['"]\s*:\s*['"][<>|=]?[a-z](\d+)['"]/.exec(header)?.[1];
  if (shape === undefined || size === undefined) return null;
  const dims = shape.split(',').filter((d) => d.trim() !== '').map((d) => Number.parseInt(d, 10));
  const n = (dims.includes(0) ? 0 : dims.reduce((a, b) => a * b, 1)) * Number(size);
  return Number.isSafeInteger(n) && n <= 65536 ? n : null;
}

export const NPY_TOKENS = ["'descr'", "'<f4'", "'<i8'", "'>f8'", "'|u1'", "'<f2'", "'|b1'", 'True', 'False', "'fortran_order'", "'shape'", ',)', 'L', '()'];

export const npy: FuzzTarget<NpyArray> = {
  name: 'npy',
  ext: '.npy',
  seeds: npySeeds,
  repair: repairNpy,
  tokens: NPY_TOKENS,
  run: (_bytes, path) => readNpy(path),
  check: ({ shape, dtype, data }) =>
    data.constructor.name !== CLASS_OF[dtype] ? `dtype ${dtype} arrived as a ${data.constructor.name}` : checkShape(shape, data.length),
};

export const npyDataset: FuzzTarget<Dataset> = {
  name: 'npy-dataset',
  ext: '.npy',
  seeds: npySeeds,
  repair: repairNpy,
  tokens: NPY_TOKENS,
  run: (_bytes, path) => loadNpy(path),
  check: (ds, _bytes, path) => checkDataset(ds, path),
};
