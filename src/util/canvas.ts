/** A tiny RGB raster with the few drawing primitives that aekit's charts need. */
import { encodePng, type PngImage } from './png.js';

/** An sRGB colour, each channel 0..255. */
export type Rgb = readonly [number, number, number];

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];

/** An RGB image you can draw on; coordinates are pixels from the top-left, and drawing outside is clipped. */
export class Canvas {
  readonly data: Uint8Array;

  constructor(readonly width: number, readonly height: number, background: Rgb = WHITE) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`Canvas: size must be positive integers, got ${width}x${height}`);
    }
    this.data = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  getPixel(x: number, y: number): Rgb {
    const i = (y * this.width + x) * 3;
    return [this.data[i]!, this.data[i + 1]!, this.data[i + 2]!];
  }

  setPixel(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 3;
    this.data[i] = c[0];
    this.data[i + 1] = c[1];
    this.data[i + 2] = c[2];
  }

  /** Mix `c` into pixel (x, y) with opacity `alpha` in [0, 1]. */
  blendPixel(x: number, y: number, c: Rgb, alpha: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || !(alpha > 0)) return;
    const a = Math.min(alpha, 1);
    const i = (y * this.width + x) * 3;
    for (let k = 0; k < 3; k++) this.data[i + k] = Math.round(this.data[i + k]! * (1 - a) + c[k]! * a);
  }

  /** Fill the integer rectangle [x, x+w) × [y, y+h). */
  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    const x0 = Math.max(0, Math.round(x)), x1 = Math.min(this.width, Math.round(x + w));
    const y0 = Math.max(0, Math.round(y)), y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) this.setPixel(xx, yy, c);
    }
  }

  /** Outline of the integer rectangle [x, x+w) × [y, y+h), one pixel thick. */
  strokeRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    this.fillRect(x, y, w, 1, c);
    this.fillRect(x, y + h - 1, w, 1, c);
    this.fillRect(x, y, 1, h, c);
    this.fillRect(x + w - 1, y, 1, h, c);
  }

  /** A one-pixel aliased line between integer pixels (Bresenham), both ends included. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    let x = Math.round(x0), y = Math.round(y0);
    const xe = Math.round(x1), ye = Math.round(y1);
    const dx = Math.abs(xe - x), dy = -Math.abs(ye - y);
    const sx = x < xe ? 1 : -1, sy = y < ye ? 1 : -1;
    let err = dx + dy;
    for (;;) {
      this.setPixel(x, y, c);
      if (x === xe && y === ye) return;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x += sx; }
      if (e2 <= dx) { err += dx; y += sy; }
    }
  }

  /**
   * An anti-aliased polyline of `width` pixels through points given in continuous pixel
   * coordinates (pixel (i, j) covers [i, i+1) × [j, j+1)). Coverage is the maximum over
   * segments, so joints are not drawn twice.
   */
  polyline(points: readonly (readonly [number, number])[], c: Rgb, width = 2, alpha = 1): void {
    const cover = new Map<number, number>();
    const hw = width / 2;
    const segments = Math.max(1, points.length - 1); // a single point draws a dot
    for (let k = 0; k < segments && points.length > 0; k++) {
      const [ax, ay] = points[k]!;
      const [bx, by] = points[Math.min(k + 1, points.length - 1)]!;
      const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - hw - 1)), x1 = Math.min(this.width - 1, Math.ceil(Math.max(ax, bx) + hw + 1));
      const y0 = Math.max(0, Math.floor(Math.min(ay, by) - hw - 1)), y1 = Math.min(this.height - 1, Math.ceil(Math.max(ay, by) + hw + 1));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const cov = Math.min(1, hw + 0.5 - distanceToSegment(x + 0.5, y + 0.5, ax, ay, bx, by));
          const key = y * this.width + x;
          if (cov > (cover.get(key) ?? 0)) cover.set(key, cov);
        }
      }
    }
    for (const [key, cov] of cover) this.blendPixel(key % this.width, Math.floor(key / this.width), c, cov * alpha);
  }

  /** An anti-aliased filled disc centred at (cx, cy) in continuous pixel coordinates. */
  disc(cx: number, cy: number, radius: number, c: Rgb, alpha = 1): void {
    const x0 = Math.floor(cx - radius - 1), x1 = Math.ceil(cx + radius + 1);
    const y0 = Math.floor(cy - radius - 1), y1 = Math.ceil(cy + radius + 1);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const cov = Math.min(1, radius + 0.5 - Math.hypot(x + 0.5 - cx, y + 0.5 - cy));
        this.blendPixel(x, y, c, cov * alpha);
      }
    }
  }

  toImage(): PngImage {
    return { width: this.width, height: this.height, channels: 3, data: this.data };
  }

  toPng(): Uint8Array {
    return encodePng(this.toImage());
  }
}

function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
