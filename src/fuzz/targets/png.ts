/** PNG images read by readPng; half the cases get their chunk CRCs repaired so mutations reach the decoder. */
import { crc32, encodePng, readPng, type PngImage } from '../../util/png.js';
import type { FuzzTarget } from '../target.js';

function seeds(): Uint8Array[] {
  const img = (w: number, h: number, channels: PngImage['channels']): Uint8Array =>
    encodePng({ width: w, height: h, channels, data: Uint8Array.from({ length: w * h * channels }, (_, i) => (i * 53) % 256) });
  return [img(3, 2, 1), img(2, 2, 2), img(4, 1, 3), img(1, 3, 4)];
}

/** Recompute the CRC of every chunk that lies wholly inside the file. */
function repair(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  for (let off = 8; off + 12 <= out.length;) {
    const len = view.getUint32(off);
    if (len > out.length - off - 12) break;
    view.setUint32(off + 8 + len, crc32(out, off + 4, off + 8 + len));
    off += 12 + len;
  }
  return out;
}

export const png: FuzzTarget<PngImage> = {
  name: 'png',
  ext: '.png',
  seeds,
  repair,
  tokens: ['IHDR', 'IDAT', 'IEND', 'PLTE', 'tEXt', 'IDAT\x78\x9c'],
  // zlib expands at most about 1032 to 1, so a small PNG can honestly hold a large image.
  maxExpansion: 1100,
  run: (_bytes, path) => readPng(path),
  check: ({ width, height, channels, data }) =>
    [1, 2, 3, 4].includes(channels) && data.length === width * height * channels ? null : `${data.length} bytes for ${width}x${height}x${channels}`,
};
