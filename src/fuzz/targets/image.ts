/**
 * One image file as the image-folder reader decodes it (pngjs or jpeg-js, told by the first bytes),
 * then turned into grey values at its own size. PNG seeds get their chunk CRCs repaired.
 */
import jpeg from 'jpeg-js';
import { PNG, type ColorType } from 'pngjs';
import { decodeImage, imageLimits, imageValues } from '../../data/index.js';
import { readFileBytes } from '../../data/file.js';
import type { FuzzTarget } from '../target.js';
import { png } from './png.js';

interface ImageResult {
  width: number;
  height: number;
  values: Float32Array;
}

/** Pixels per image while fuzzing: small enough that a header's size claim stays within the memory bound. */
const FUZZ_MAX_PIXELS = 2 ** 16;

function pngOf(width: number, height: number, colorType: ColorType, bitDepth: 8 | 16): Uint8Array {
  const img = new PNG({ width, height });
  img.data = Buffer.from(Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 53) % 256));
  return PNG.sync.write(img, { colorType, bitDepth });
}

function jpegOf(width: number, height: number, quality: number): Uint8Array {
  const rgba = Buffer.from(Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 29) % 256));
  return jpeg.encode({ width, height, data: rgba }, quality).data;
}

function seeds(): Uint8Array[] {
  return [pngOf(3, 2, 0, 8), pngOf(2, 3, 2, 16), pngOf(2, 2, 6, 8), jpegOf(8, 8, 80), jpegOf(17, 9, 30), jpegOf(1, 1, 95)];
}

export const image: FuzzTarget<ImageResult> = {
  name: 'image',
  ext: '.png',
  seeds,
  repair: png.repair!,
  tokens: ['IHDR', 'IDAT', 'IEND', 'PLTE', 'tRNS', '\xff\xc0', '\xff\xc2', '\xff\xc4', '\xff\xda', '\xff\xdb', '\xff\xdd', '\xff\xd9'],
  // A 1-bit PNG holds 8 pixels a byte and deflate expands about 1032 to 1; each pixel becomes 4 bytes of float.
  maxExpansion: 8 * 1032 * 4,
  run: (_bytes, path) => {
    const saved = imageLimits.maxPixels;
    imageLimits.maxPixels = FUZZ_MAX_PIXELS;
    try {
      const img = decodeImage(readFileBytes(path), path);
      const values = new Float32Array(img.width * img.height);
      imageValues(img, 1, img, values);
      return { width: img.width, height: img.height, values };
    } finally {
      imageLimits.maxPixels = saved;
    }
  },
  check: ({ width, height, values }) => {
    if (values.length !== width * height) return `${values.length} values for ${width}x${height}`;
    const bad = values.findIndex((v) => !(v >= 0 && v <= 1));
    return bad < 0 ? null : `value ${values[bad]} at ${bad} is outside [0, 1]`;
  },
};
