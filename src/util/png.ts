/**
 * PNG encoding and decoding for 8-bit images (W3C PNG specification, 2nd edition).
 *
 * The encoder writes grey, grey+alpha, RGB or RGBA with a per-row adaptive filter.
 * The decoder reads the same four 8-bit colour types, non-interlaced, with all five
 * filter types; anything else fails with an error that names the reason.
 */
import { constants as bufferConstants } from 'node:buffer';
import { deflateSync, inflateSync } from 'node:zlib';
import { writeFileAtomic } from './atomic.js';
import { readFileBytes } from './file.js';

/** An 8-bit image, rows top to bottom, channels interleaved (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). */
export interface PngImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

const SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);
const COLOUR_TYPE_OF_CHANNELS = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;
const CHANNELS_OF_COLOUR_TYPE: Record<number, PngImage['channels']> = { 0: 1, 4: 2, 2: 3, 6: 4 };
const COLOUR_TYPE_NAMES: Record<number, string> = { 3: 'palette (indexed colour)' };
/** Width and height are stored as 31-bit integers; this bound also keeps buffers addressable. */
const MAX_DIMENSION = 2 ** 31 - 1;

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, polynomial 0xEDB88320) as PNG uses it over chunk type and data. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  crcTable ??= makeCrcTable();
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function makeCrcTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** Encode an 8-bit image as PNG bytes. */
export function encodePng(img: PngImage): Uint8Array {
  const { width, height, channels, data } = img;
  checkImage(img);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, COLOUR_TYPE_OF_CHANNELS[channels], 0, 0, 0], 8); // bit depth, colour type, deflate, filter set 0, no interlace
  const idat = deflateSync(filterRows(data, width * channels, height, channels), { level: 9 });
  return concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

function checkImage({ width, height, channels, data }: PngImage): void {
  for (const [name, n] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(n) || n < 1 || n > MAX_DIMENSION) throw new Error(`encodePng: ${name} must be an integer in [1, 2^31-1], got ${n}`);
  }
  if (!(channels in COLOUR_TYPE_OF_CHANNELS)) throw new Error(`encodePng: channels must be 1, 2, 3 or 4, got ${String(channels)}`);
  const want = width * height * channels;
  if (data.length !== want) throw new Error(`encodePng: data has ${data.length} bytes but ${width}x${height}x${channels} needs ${want}`);
}

/** Filter each row with the type whose output has the smallest sum of |signed bytes| (the spec's suggested heuristic). */
function filterRows(data: Uint8Array, stride: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * (stride + 1));
  const trial = new Uint8Array(stride);
  const zero = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? data.subarray((y - 1) * stride, y * stride) : zero;
    let best = Infinity;
    for (let type = 0; type < 5; type++) {
      const cost = applyFilter(type, row, prev, bpp, trial);
      if (cost < best) {
        best = cost;
        out[y * (stride + 1)] = type;
        out.set(trial, y * (stride + 1) + 1);
      }
    }
  }
  return out;
}

function applyFilter(type: number, row: Uint8Array, prev: Uint8Array, bpp: number, out: Uint8Array): number {
  let cost = 0;
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp]! : 0;
    const b = prev[i]!;
    const c = i >= bpp ? prev[i - bpp]! : 0;
    const v = (row[i]! - predict(type, a, b, c)) & 0xff;
    out[i] = v;
    cost += v < 128 ? v : 256 - v;
  }
  return cost;
}

/** The predictor of filter `type` from left (a), up (b) and upper-left (c) bytes. */
function predict(type: number, a: number, b: number, c: number): number {
  switch (type) {
    case 0: return 0;
    case 1: return a;
    case 2: return b;
    case 3: return (a + b) >>> 1;
    default: return paeth(a, b, c);
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Decode PNG bytes; `source` (a file name) is used in error messages. */
export function decodePng(bytes: Uint8Array, source = 'PNG data'): PngImage {
  const fail = (msg: string): never => { throw new Error(`${source}: ${msg}`); };
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) fail('not a PNG file (bad signature at byte 0)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Omit<PngImage, 'data'> | undefined;
  const idat: Uint8Array[] = [];
  let off = 8;
  for (;;) {
    if (off + 12 > bytes.length) fail(`truncated chunk header at byte ${off} (no IEND chunk)`);
    const len = view.getUint32(off);
    const type = String.fromCharCode(...bytes.subarray(off + 4, off + 8));
    // The spec allows only ASCII letters; checking first also keeps control bytes out of the messages below.
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`invalid chunk type ${JSON.stringify(type)} at byte ${off} (a type is four ASCII letters)`);
    if (len > bytes.length - off - 12) fail(`chunk ${type} at byte ${off} claims ${len} bytes but the file ends first`);
    const stored = view.getUint32(off + 8 + len);
    if (crc32(bytes, off + 4, off + 8 + len) !== stored) fail(`CRC mismatch in chunk ${type} at byte ${off}`);
    const body = bytes.subarray(off + 8, off + 8 + len);
    if (header === undefined && type !== 'IHDR') fail(`first chunk must be IHDR, found ${type} at byte ${off}`);
    if (type === 'IHDR') header = parseIhdr(body, off, fail);
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    else if (isCritical(type) && type !== 'PLTE') fail(`unsupported critical chunk ${type} at byte ${off}`);
    off += 12 + len;
  }
  if (header === undefined || idat.length === 0) return fail('no image data (IDAT chunk missing)');
  return { ...header, data: unfilter(inflate(concat(idat), header, fail), header, fail) };
}

function isCritical(type: string): boolean {
  return (type.charCodeAt(0) & 0x20) === 0;
}

function parseIhdr(body: Uint8Array, off: number, fail: (m: string) => never): Omit<PngImage, 'data'> {
  if (body.length !== 13) fail(`IHDR at byte ${off} has length ${body.length}, expected 13`);
  const v = new DataView(body.buffer, body.byteOffset, 13);
  const width = v.getUint32(0), height = v.getUint32(4);
  const [depth, colour, compression, filter, interlace] = body.subarray(8, 13);
  if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) fail(`invalid size ${width}x${height} in IHDR`);
  const channels = CHANNELS_OF_COLOUR_TYPE[colour!];
  if (channels === undefined) fail(`unsupported colour type ${colour} (${COLOUR_TYPE_NAMES[colour!] ?? 'invalid'}); only 8-bit grey, grey+alpha, RGB and RGBA are supported`);
  if (depth !== 8) fail(`unsupported bit depth ${depth}; only 8-bit images are supported`);
  if (compression !== 0 || filter !== 0) fail(`unknown compression method ${compression} or filter method ${filter} in IHDR`);
  if (interlace !== 0) fail(`interlaced (Adam7) images are not supported`);
  return { width, height, channels: channels! };
}

/** Inflate at most the bytes the image holds, so a small file cannot decompress into gigabytes. */
function inflate(z: Uint8Array, h: Omit<PngImage, 'data'>, fail: (m: string) => never): Uint8Array {
  const expected = h.height * (h.width * h.channels + 1);
  try {
    return inflateSync(z, { maxOutputLength: Math.min(expected, bufferConstants.MAX_LENGTH) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return fail(`image data inflates to more than the ${expected} bytes a ${h.width}x${h.height} image holds`);
    }
    return fail(`corrupt IDAT data (${(err as Error).message})`);
  }
}

function unfilter(raw: Uint8Array, h: Omit<PngImage, 'data'>, fail: (m: string) => never): Uint8Array {
  const bpp = h.channels, stride = h.width * bpp;
  if (raw.length !== h.height * (stride + 1)) fail(`image data has ${raw.length} bytes after inflating, expected ${h.height * (stride + 1)} for ${h.width}x${h.height}`);
  const out = new Uint8Array(h.height * stride);
  for (let y = 0; y < h.height; y++) {
    const type = raw[y * (stride + 1)]!;
    if (type > 4) fail(`invalid filter type ${type} on row ${y}`);
    const src = y * (stride + 1) + 1, dst = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[dst + i - bpp]! : 0;
      const b = y > 0 ? out[dst - stride + i]! : 0;
      const c = i >= bpp && y > 0 ? out[dst - stride + i - bpp]! : 0;
      out[dst + i] = (raw[src + i]! + predict(type, a, b, c)) & 0xff;
    }
  }
  return out;
}

/** Read and decode a PNG file. */
export function readPng(path: string): PngImage {
  return decodePng(readFileBytes(path), path);
}

/** Encode and write a PNG file atomically. */
export function writePng(path: string, img: PngImage): void {
  writeFileAtomic(path, encodePng(img));
}
