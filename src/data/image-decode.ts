/**
 * PNG and JPEG decoding for the image-folder reader, by pngjs and jpeg-js (pure JavaScript; why
 * these in docs/design.md). The format is told by the file's first bytes, not its name; the size a
 * header declares is checked against `imageLimits` before a decoder allocates for it. Every
 * failure, the decoders' own included, is a plain Error naming the file.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { printable } from './file.js';

/** Limits on one image; an application may change them (the fuzzer lowers them). */
export const imageLimits = {
  /** Most pixels in one image: 64 Mi (an 8K photo has 33 M), whatever its file size. */
  maxPixels: 2 ** 26,
};

/** Pixels as decoded: `stride` interleaved samples per pixel (red, green, blue first), each in [0, max]. */
export interface DecodedImage {
  width: number;
  height: number;
  stride: 3 | 4;
  data: Uint8Array | Uint16Array;
  max: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_START = [0xff, 0xd8, 0xff];

/** Decode a PNG (any bit depth, colour type, interlacing) or a JPEG (baseline or progressive). */
export function decodeImage(bytes: Uint8Array, path: string): DecodedImage {
  if (bytes.length === 0) throw new Error(`${path}: empty file (not a PNG or JPEG image)`);
  const img = startsWith(bytes, PNG_SIGNATURE) ? decodePng(bytes, path)
    : startsWith(bytes, JPEG_START) ? decodeJpeg(bytes, path)
    : null;
  if (img === null) {
    const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${path}: not a PNG or JPEG image (it starts with bytes ${head})`);
  }
  if (!(img.width >= 1 && img.height >= 1) || img.data.length !== img.width * img.height * img.stride) {
    throw new Error(`${path}: the decoder returned ${img.data.length} samples for a ${img.width}x${img.height} image`);
  }
  return img;
}

function decodePng(bytes: Uint8Array, path: string): DecodedImage {
  // IHDR is the first chunk: width and height at bytes 16 and 20.
  if (bytes.length >= 24 && String.fromCharCode(...bytes.subarray(12, 16)) === 'IHDR') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkPixels(view.getUint32(16), view.getUint32(20), path);
  }
  const cut = String.fromCharCode(...bytes.subarray(-8, -4)) !== 'IEND' ? 'the file does not end with an IEND chunk: it may be cut short' : null;
  const png = decoding(path, 'PNG', cut, () => PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true }));
  // Always RGBA; with skipRescale, 16-bit samples arrive as a Uint16Array (pngjs's types say Buffer).
  const data: Uint8Array | Uint16Array = png.data;
  const colorType: number = png.colorType;
  restoreKeyedColour(png as { transColor?: number[] }, colorType, data);
  return { width: png.width, height: png.height, stride: 4, data, max: colorType === 3 ? 255 : 2 ** png.depth - 1 };
}

/**
 * Alpha is dropped, as PIL's convert('L') and convert('RGB') drop it. pngjs blanks the pixels of a
 * tRNS colour key (grey or RGB images), so they get their colour back: it is the key itself.
 */
function restoreKeyedColour(png: { transColor?: number[] }, colorType: number, data: Uint8Array | Uint16Array): void {
  const key = png.transColor;
  if (key === undefined || (colorType !== 0 && colorType !== 2)) return;
  const [r, g, b] = key.length === 1 ? [key[0]!, key[0]!, key[0]!] : [key[0]!, key[1]!, key[2]!];
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) [data[i], data[i + 1], data[i + 2]] = [r, g, b];
  }
}

function decodeJpeg(bytes: Uint8Array, path: string): DecodedImage {
  const size = jpegFrameSize(bytes);
  if (size !== null) checkPixels(size[0], size[1], path);
  const cut = bytes.at(-2) !== 0xff || bytes.at(-1) !== 0xd9 ? 'the file does not end with the end-of-image marker FFD9: it may be cut short' : null;
  const img = decoding(path, 'JPEG', cut, () => jpeg.decode(bytes, {
    useTArray: true, formatAsRGBA: false,
    maxResolutionInMP: imageLimits.maxPixels / 1e6,
    // jpeg-js's own default is 512 MB for 100 MP; about 8 bytes a pixel, plus tables.
    maxMemoryUsageInMB: Math.ceil((imageLimits.maxPixels * 8) / 2 ** 20) + 16,
  }));
  return { width: img.width, height: img.height, stride: 3, data: img.data, max: 255 };
}

/** Width and height from the first start-of-frame marker, or null when the markers end first. */
function jpegFrameSize(bytes: Uint8Array): [number, number] | null {
  for (let o = 2; o + 9 <= bytes.length && bytes[o] === 0xff;) {
    const marker = bytes[o + 1]!;
    // SOF0–SOF15, less DHT (c4), JPG (c8) and DAC (cc); the frame header holds height, then width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [(bytes[o + 7]! << 8) | bytes[o + 8]!, (bytes[o + 5]! << 8) | bytes[o + 6]!];
    }
    if (marker === 0xda || marker === 0xd9) return null; // scan data or end of image
    o += 2 + ((bytes[o + 2]! << 8) | bytes[o + 3]!);
  }
  return null;
}

function checkPixels(width: number, height: number, path: string): void {
  // A zero side would pass the pixel count, and the decoders still allocate by the other side.
  if (width === 0 || height === 0) throw new Error(`${path}: the header declares a ${width}x${height} image, which holds no pixels`);
  if (width * height > imageLimits.maxPixels) {
    throw new Error(`${path}: the image is ${width}x${height} pixels, over the limit of ${imageLimits.maxPixels} pixels (imageLimits.maxPixels)`);
  }
}

/** Run a decoder; whatever it throws on this file (its TypeErrors too) becomes a plain Error naming the file. */
function decoding<T>(path: string, format: string, hint: string | null, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`${path}: not a valid ${format} image (${printable(why, 200)})${hint === null ? '' : `; ${hint}`}`);
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}
