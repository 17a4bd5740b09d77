/**
 * Decoded pixels to dataset values: grey by BT.601 luma or RGB planes, scaled to [0, 1] and resized
 * to the dataset's size. Pure, so the CLI's image folders and the studio's dropped images (decoded
 * by the browser) become values the same way.
 */
import { resizePlanes } from './resize.js';

export interface ImageSize {
  width: number;
  height: number;
}

/** Interleaved pixels: `stride` values per pixel (RGB or RGBA), each in 0..max. */
export interface Pixels {
  width: number;
  height: number;
  stride: 3 | 4;
  data: ArrayLike<number>;
  max: number;
}

/** One image as (channels, height, width) values in [0, 1] at `size`, written into `out`. */
export function imageValues(img: Pixels, channels: 1 | 3, size: ImageSize, out: Float32Array): void {
  const { width, height, stride, data } = img;
  const same = width === size.width && height === size.height;
  const planes = same ? out : new Float32Array(channels * width * height);
  const scale = 1 / img.max;
  const hw = width * height;
  for (let p = 0, o = 0; p < hw; p++, o += stride) {
    const r = data[o]!;
    const g = data[o + 1]!;
    const b = data[o + 2]!;
    if (channels === 1) {
      // ITU-R BT.601 luma, as PIL's convert('L'); grey pixels keep their exact value.
      planes[p] = (r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b) * scale;
    } else {
      planes[p] = r * scale;
      planes[hw + p] = g * scale;
      planes[2 * hw + p] = b * scale;
    }
  }
  if (!same) resizePlanes(planes, [height, width], out, [size.height, size.width], channels);
}
