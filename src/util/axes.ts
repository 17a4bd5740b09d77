/** Axes, ticks, gridlines and legend shared by the line chart and the scatter plot. */
import { Canvas, WHITE, type Rgb } from './canvas.js';
import { CAP_HEIGHT, drawText, drawTextVertical, textHeight, textWidth } from './font.js';
import { linearTicks, logTicks, type Ticks } from './ticks.js';

export const INK: Rgb = [34, 34, 34];
const AXIS: Rgb = [51, 51, 51];
export const GRID: Rgb = [228, 228, 228];
const LEGEND_EDGE: Rgb = [200, 200, 200];

export interface AxesOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Output size in pixels. */
  width?: number;
  height?: number;
}

/** The plotting area of a chart and the map from data to continuous pixel coordinates. */
export interface Frame {
  left: number;
  top: number;
  right: number;
  bottom: number;
  toPx(x: number, y: number): [number, number];
}

export interface Chart {
  canvas: Canvas;
  frame: Frame;
}

/** An axis extent; `integer` when every data value is a whole number (epochs, counts), so ticks never fall between. */
export interface Range { lo: number; hi: number; integer: boolean }

export interface LegendEntry { name: string; color: Rgb; line: boolean; marker: boolean }

/** Data extent padded by 4% each side (in log space for log axes); a degenerate or empty extent is widened. */
export function axisRange(values: Iterable<number>, log: boolean): Range {
  let lo = Infinity, hi = -Infinity, integer = !log;
  for (const v of values) {
    const t = log ? Math.log10(v) : v;
    integer &&= Number.isInteger(v);
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  if (lo > hi) [lo, hi] = [0, 1];
  if (lo === hi) {
    const w = log ? 0.5 : lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - w, hi + w];
  }
  const m = (hi - lo) * 0.04;
  return log ? { lo: 10 ** (lo - m), hi: 10 ** (hi + m), integer } : { lo: lo - m, hi: hi + m, integer };
}

/**
 * Draw a chart: axes over `xr` × `yr`, the data (by `drawData`), then the legend in the inside
 * corner that covers none of `samples(frame)` (pixel positions of the data), or else outside at the right.
 */
export function renderChart(
  size: { width: number; height: number }, opts: AxesOptions, xr: Range, yr: Range, logY: boolean, entries: LegendEntry[],
  samples: (f: Frame) => [number, number][], drawData: (c: Canvas, f: Frame) => void,
): Chart {
  const legendW = entries.length ? 38 + Math.max(...entries.map((e) => textWidth(e.name))) : 0, legendH = 8 + entries.length * 14;
  let axes = layoutAxes(size, opts, xr, yr, logY, 0);
  let spot = entries.length ? freeCorner(axes.frame, legendW, legendH, samples(axes.frame)) : undefined;
  if (entries.length && !spot) {
    axes = layoutAxes(size, opts, xr, yr, logY, legendW + 12);
    spot = [axes.frame.right + 12, axes.frame.top];
  }
  const canvas = new Canvas(size.width, size.height);
  drawAxes(canvas, opts, axes, xr, yr);
  drawData(canvas, axes.frame);
  if (spot) drawLegend(canvas, spot, legendW, legendH, entries);
  return { canvas, frame: axes.frame };
}

interface AxesLayout { frame: Frame; xt: Ticks; yt: Ticks }

function layoutAxes(size: { width: number; height: number }, opts: AxesOptions, xr: Range, yr: Range, logY: boolean, reserveRight: number): AxesLayout {
  const { width, height } = size;
  const xt = linearTicks(xr.lo, xr.hi, Math.max(2, Math.round((width - reserveRight) / 110)), xr.integer);
  const yTarget = Math.max(2, Math.round(height / 60));
  const yt = logY ? logTicks(yr.lo, yr.hi, yTarget) : linearTicks(yr.lo, yr.hi, yTarget, yr.integer);
  const left = 14 + (opts.yLabel ? textHeight(opts.yLabel) + 10 : 0) + Math.max(0, ...yt.labels.map((l) => textWidth(l))) + 8;
  const top = opts.title ? 16 + textHeight(opts.title, 2) : 16;
  const right = width - 24 - reserveRight;
  const bottom = height - 14 - (opts.xLabel ? textHeight(opts.xLabel) + 8 : 0) - textHeight('0') - 8;
  if (right - left < 20 || bottom - top < 20) throw new Error(`chart: ${width}x${height} pixels is too small for the axes, labels and legend`);
  const ty = logY
    ? (v: number): number => Math.log10(v / yr.lo) / Math.log10(yr.hi / yr.lo)
    : (v: number): number => (v - yr.lo) / (yr.hi - yr.lo);
  const toPx = (x: number, y: number): [number, number] => [left + ((x - xr.lo) / (xr.hi - xr.lo)) * (right - left), bottom - ty(y) * (bottom - top)];
  return { frame: { left, top, right, bottom, toPx }, xt, yt };
}

function drawAxes(canvas: Canvas, opts: AxesOptions, { frame, xt, yt }: AxesLayout, xr: Range, yr: Range): void {
  const { left, top, right, bottom } = frame;
  xt.values.forEach((v, i) => {
    const px = Math.round(frame.toPx(v, yr.lo)[0]);
    canvas.fillRect(px, top, 1, bottom - top, GRID);
    canvas.fillRect(px, bottom, 1, 5, AXIS);
    const label = xt.labels[i]!;
    drawText(canvas, px - Math.floor(textWidth(label) / 2), bottom + 8, label, INK);
  });
  yt.values.forEach((v, i) => {
    const py = Math.round(frame.toPx(xr.lo, v)[1]);
    canvas.fillRect(left, py, right - left, 1, GRID);
    canvas.fillRect(left - 5, py, 5, 1, AXIS);
    const label = yt.labels[i]!;
    drawText(canvas, left - 8 - textWidth(label), py - Math.floor(CAP_HEIGHT / 2), label, INK);
  });
  canvas.strokeRect(left, top, right - left + 1, bottom - top + 1, AXIS);
  if (opts.title) drawText(canvas, Math.round((left + right - textWidth(opts.title, 2)) / 2), 10, opts.title, INK, 2);
  if (opts.xLabel) drawText(canvas, Math.round((left + right - textWidth(opts.xLabel)) / 2), canvas.height - 8 - textHeight(opts.xLabel), opts.xLabel, INK);
  if (opts.yLabel) drawTextVertical(canvas, 12, Math.round((top + bottom - textWidth(opts.yLabel)) / 2), opts.yLabel, INK);
}

/** The first inside corner (top-right, top-left, bottom-right, bottom-left) whose box holds none of `points`. */
function freeCorner(frame: Frame, w: number, h: number, points: [number, number][]): [number, number] | undefined {
  const corners: [number, number][] = [
    [frame.right - 8 - w, frame.top + 8], [frame.left + 8, frame.top + 8],
    [frame.right - 8 - w, frame.bottom - 8 - h], [frame.left + 8, frame.bottom - 8 - h],
  ];
  const margin = 4; // keep markers and thick lines from touching the box
  return corners.find(([x, y]) => !points.some(([px, py]) => px >= x - margin && px <= x + w + margin && py >= y - margin && py <= y + h + margin));
}

function drawLegend(canvas: Canvas, [x, y]: [number, number], w: number, h: number, entries: LegendEntry[]): void {
  canvas.fillRect(x, y, w, h, WHITE);
  canvas.strokeRect(x, y, w, h, LEGEND_EDGE);
  entries.forEach((e, i) => {
    const cy = y + 11 + i * 14;
    if (e.line) canvas.polyline([[x + 8, cy], [x + 28, cy]], e.color, 2);
    if (e.marker) canvas.disc(x + 18, cy, 3, e.color);
    drawText(canvas, x + 34, cy - 3, e.name, INK);
  });
}

/** Points every few pixels along each polyline, so the legend can avoid lines as well as markers. */
export function samplePolylines(runs: [number, number][][], every = 3): [number, number][] {
  const out: [number, number][] = [];
  for (const run of runs) {
    run.forEach(([x, y], k) => {
      out.push([x, y]);
      const next = run[k + 1];
      if (!next) return;
      const n = Math.ceil(Math.hypot(next[0] - x, next[1] - y) / every);
      for (let s = 1; s < n; s++) out.push([x + ((next[0] - x) * s) / n, y + ((next[1] - y) * s) / n]);
    });
  }
  return out;
}
