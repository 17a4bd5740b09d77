/**
 * safetensors files (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length N, N bytes of UTF-8 JSON (space-padded so the data starts 8-byte aligned) mapping each
 * tensor name to { dtype, shape, data_offsets: [begin, end) } within the byte buffer that follows,
 * plus an optional "__metadata__" map of strings. Tensors are laid out contiguously in sorted-name
 * order. Reading validates everything the format requires, with errors naming the file and byte.
 */
import { byteCount, dims, elementCount, jsonExcerpt, printable, utf8Length } from '../util/bytes.js';
import { jsonProblem } from '../util/text.js';

export type SafetensorsDType = 'F32' | 'F64' | 'I32' | 'U8' | 'I64';

/** One tensor: row-major `data` whose element type matches `dtype`. */
export type SafetensorsTensor =
  | { dtype: 'F32'; shape: number[]; data: Float32Array }
  | { dtype: 'F64'; shape: number[]; data: Float64Array }
  | { dtype: 'I32'; shape: number[]; data: Int32Array }
  | { dtype: 'U8'; shape: number[]; data: Uint8Array }
  | { dtype: 'I64'; shape: number[]; data: BigInt64Array };

export interface SafetensorsFile {
  tensors: Record<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

type ArrayOf<D extends SafetensorsDType> = Extract<SafetensorsTensor, { dtype: D }>['data'];

const ARRAYS: { [D in SafetensorsDType]: { new (n: number): ArrayOf<D>; BYTES_PER_ELEMENT: number } } = {
  F32: Float32Array, F64: Float64Array, I32: Int32Array, U8: Uint8Array, I64: BigInt64Array,
};
/** dtypes the format defines that aekit does not read, so the error can say "not supported" rather than "unknown". */
const OTHER_DTYPES = ['BOOL', 'I8', 'I16', 'U16', 'F16', 'BF16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F6_E2M3', 'F6_E3M2', 'F4', 'C64'];
const METADATA_KEY = '__metadata__';
/** The reference implementation refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

function isDType(s: unknown): s is SafetensorsDType {
  return typeof s === 'string' && Object.hasOwn(ARRAYS, s);
}

/** A tensor entry whose dtype follows from the array type (Float32Array → F32, …). */
export function safetensor(shape: number[], data: Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array): SafetensorsTensor {
  if (data instanceof Float32Array) return { dtype: 'F32', shape, data };
  if (data instanceof Float64Array) return { dtype: 'F64', shape, data };
  if (data instanceof Int32Array) return { dtype: 'I32', shape, data };
  if (data instanceof BigInt64Array) return { dtype: 'I64', shape, data };
  return { dtype: 'U8', shape, data };
}

/** The float tensors of `file` by name (for loading weights); any other dtype fails naming the tensor. */
export function floatTensors(file: SafetensorsFile, source: string): Map<string, { shape: number[]; data: Float32Array | Float64Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array | Float64Array }>();
  for (const [name, t] of Object.entries(file.tensors)) {
    if (t.dtype !== 'F32' && t.dtype !== 'F64') throw new Error(`${source}: tensor '${name}' has dtype ${t.dtype}; weights must be F32 or F64`);
    out.set(name, t);
  }
  return out;
}

function assertLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error('safetensors: big-endian hosts are not supported');
}

// ---------------------------------------------------------------- writing

/** The file as byte chunks: header length, padded header, then each tensor's bytes in sorted-name order. */
export function serializeChunks(tensors: Record<string, SafetensorsTensor>, metadata?: Record<string, string>): Uint8Array[] {
  assertLittleEndian();
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header[METADATA_KEY] = checkMetadata(metadata, 'writeSafetensors: metadata');
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    checkTensor(name, t);
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    // defineProperty, not assignment: header['__proto__'] = … would set the prototype and drop the tensor from the JSON.
    Object.defineProperty(header, name, { value: { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] }, enumerable: true });
    chunks.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20); // spaces, so the data starts 8-byte aligned
  padded.set(json);
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(padded.length), true);
  return [len, padded, ...chunks];
}

function checkTensor(name: string, t: SafetensorsTensor): void {
  const where = `writeSafetensors: tensor '${name}'`;
  if (name === METADATA_KEY) throw new Error(`writeSafetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
  if (!isDType(t.dtype)) throw new Error(`${where}: dtype must be one of ${Object.keys(ARRAYS).join(', ')}, got ${String(t.dtype)}`);
  if (!(t.data instanceof ARRAYS[t.dtype])) throw new Error(`${where}: dtype ${t.dtype} needs a ${ARRAYS[t.dtype].name}, got ${t.data?.constructor?.name}`);
  if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new Error(`${where}: shape must be non-negative integers, got ${JSON.stringify(t.shape)}`);
  if (elementCount(t.shape) !== t.data.length) throw new Error(`${where}: shape [${t.shape.join(', ')}] holds ${elementCount(t.shape)} elements but data has ${t.data.length}`);
}

/** The whole file in memory (for browsers or network transfer). */
export function serializeSafetensors(tensors: Record<string, SafetensorsTensor>, metadata?: Record<string, string>): Uint8Array {
  const chunks = serializeChunks(tensors, metadata);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

// ---------------------------------------------------------------- reading

/** Parse and validate safetensors bytes; `source` names the file in errors. Tensor data is copied. */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsFile {
  assertLittleEndian();
  const fail = (msg: string): never => { throw new Error(`${source}: ${msg}`); };
  if (bytes.length < 8) fail(`file has ${bytes.length} bytes, too short for the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} (bytes 0-7) exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (n > BigInt(bytes.length - 8)) fail(`header length ${n} (bytes 0-7) runs past the end of the file (${bytes.length} bytes)`);
  const headerEnd = 8 + Number(n);
  const { header, byteOf } = parseHeader(bytes.subarray(8, headerEnd), fail);
  const failAt = (key: string) => (msg: string): never => fail(`byte ${byteOf(key)}: ${msg}`);
  const buffer = bytes.subarray(headerEnd);
  const entries = Object.entries(header).filter(([k]) => k !== METADATA_KEY).map(([name, raw]) => tensorInfo(name, raw, buffer.length, headerEnd, failAt(name)));
  checkContiguous(entries, buffer.length, headerEnd, fail, byteOf);
  // Copy each tensor into its own ArrayBuffer: typed arrays need aligned offsets, and Buffer.slice would share memory.
  const copy = (e: TensorInfo) => fromBytes(e.dtype, e.shape, new Uint8Array(buffer.subarray(e.begin, e.end)).buffer);
  // fromEntries defines own properties: assigning tensors['__proto__'] would set the prototype and lose the tensor.
  const tensors = Object.fromEntries(entries.map((e) => [e.name, copy(e)]));
  const meta = header[METADATA_KEY];
  const metadata = meta === undefined ? {} : checkMetadata(meta, `${source}: byte ${byteOf(METADATA_KEY)}: ${METADATA_KEY}`);
  return { tensors, metadata };
}

function fromBytes(dtype: SafetensorsDType, shape: number[], buf: ArrayBuffer): SafetensorsTensor {
  switch (dtype) {
    case 'F32': return { dtype, shape, data: new Float32Array(buf) };
    case 'F64': return { dtype, shape, data: new Float64Array(buf) };
    case 'I32': return { dtype, shape, data: new Int32Array(buf) };
    case 'U8': return { dtype, shape, data: new Uint8Array(buf) };
    case 'I64': return { dtype, shape, data: new BigInt64Array(buf) };
  }
}

/** The header object, and the file byte at which each top-level key starts (for error messages). */
function parseHeader(raw: Uint8Array, fail: (m: string) => never): { header: Record<string, unknown>; byteOf: (key: string) => number } {
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    fail('header (from byte 8) is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    fail(`header (from byte 8) is not valid JSON: ${jsonProblem(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('header must be a JSON object');
  const keys = topLevelKeys(text, fail);
  const byteOf = (key: string) => 8 + utf8Length(text.slice(0, keys.get(key) ?? 0));
  return { header: value as Record<string, unknown>, byteOf };
}

/**
 * Where each top-level key of the (valid) JSON text starts, as a character index. JSON.parse keeps
 * the last of duplicate keys silently, so duplicates are refused here.
 */
function topLevelKeys(json: string, fail: (m: string) => never): Map<string, number> {
  const at = new Map<string, number>();
  let depth = 0, prev = '';
  for (let i = 0; i < json.length; i++) {
    const ch = json[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (depth === 1 && (prev === '{' || prev === ',')) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (at.has(key)) fail(`byte ${8 + utf8Length(json.slice(0, i))}: header names '${printable(key)}' twice`);
        at.set(key, i);
      }
      [i, prev] = [j, '"'];
    } else if (!/\s/.test(ch)) {
      if (ch === '{' || ch === '[') depth++;
      if (ch === '}' || ch === ']') depth--;
      prev = ch;
    }
  }
  return at;
}

interface TensorInfo { name: string; dtype: SafetensorsDType; shape: number[]; begin: number; end: number }

function tensorInfo(name: string, raw: unknown, bufferLength: number, dataStart: number, fail: (m: string) => never): TensorInfo {
  const where = `tensor '${printable(name)}'`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`${where}: entry must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (!isDType(dtype)) {
    fail(typeof dtype === 'string' && OTHER_DTYPES.includes(dtype)
      ? `${where}: dtype ${dtype} is not supported (aekit reads ${Object.keys(ARRAYS).join(', ')})`
      : `${where}: unknown dtype ${jsonExcerpt(dtype)}`);
  }
  const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!Array.isArray(shape) || !shape.every(isIndex)) fail(`${where}: shape must be an array of non-negative integers, got ${jsonExcerpt(shape)}`);
  const [begin, end] = Array.isArray(offsets) && offsets.length === 2 && offsets.every(isIndex) ? (offsets as [number, number]) : [-1, -1];
  if (begin < 0 || begin > end) fail(`${where}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${jsonExcerpt(offsets)}`);
  const d = dtype as SafetensorsDType;
  if (end > bufferLength) fail(`${where}: data_offsets [${begin}, ${end}] run past the end of the data buffer (${bufferLength} bytes from byte ${dataStart})`);
  const need = elementCount(shape as number[]) * ARRAYS[d].BYTES_PER_ELEMENT;
  if (end - begin !== need) fail(`${where}: shape [${dims(shape as number[], ', ')}] of ${d} needs ${byteCount(need)} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
  return { name, dtype: d, shape: [...(shape as number[])], begin, end };
}

/** Tensors must tile the data buffer exactly: no gaps, no overlaps, nothing left over. */
function checkContiguous(entries: TensorInfo[], bufferLength: number, dataStart: number, fail: (m: string) => never, byteOf: (key: string) => number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0, prev: TensorInfo | undefined;
  for (const e of sorted) {
    const name = printable(e.name);
    if (e.begin < at) fail(`byte ${byteOf(e.name)}: tensor '${name}' data_offsets [${e.begin}, ${e.end}] overlap tensor '${printable(prev!.name)}' [${prev!.begin}, ${prev!.end}]`);
    if (e.begin > at) fail(`gap in the data buffer: bytes [${at}, ${e.begin}) (file bytes ${dataStart + at}-${dataStart + e.begin - 1}) belong to no tensor, before '${name}'`);
    at = e.end;
    prev = e;
  }
  if (at !== bufferLength) fail(`the data buffer has ${bufferLength} bytes but the tensors cover ${at}; trailing bytes from file byte ${dataStart + at}`);
}

function checkMetadata(value: unknown, where: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} must be an object of strings`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(`${where}: value of '${printable(k)}' must be a string, got ${jsonExcerpt(v)}`);
  }
  return { ...(value as Record<string, string>) };
}
