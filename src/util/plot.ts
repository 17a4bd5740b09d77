/**
 * Pictures a training run makes: image grids (originals above reconstructions), line charts
 * (loss curves) and labelled scatter plots (latent spaces), as PNG bytes. White background,
 * dark axes, light gridlines, the matplotlib "tab10" palette.
 */
import { axisRange, INK, renderChart, samplePolylines, type AxesOptions, type Chart, type LegendEntry } from './axes.js';
import { Canvas, type Rgb } from './canvas.js';
import { CAP_HEIGHT, drawText, textHeight, textWidth } from './font.js';

export { Canvas, type Rgb } from './canvas.js';
export type { AxesOptions, Chart, Frame } from './axes.js';

/** matplotlib's tab10 colours: distinct, readable on white, friendly to common colour-vision deficiencies. */
export const PALETTE: readonly Rgb[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];
const NAN_PIXEL: Rgb = [255, 0, 0];

// ---------------------------------------------------------------- image grid

export interface ImageGridOptions {
  /** One label per row, drawn at the left (e.g. "original", "reconstruction"). */
  labels?: string[];
  /** Integer upscaling of each image (default 2). */
  scale?: number;
  /** Gap between images and around the grid, in output pixels (default 2). */
  pad?: number;
  title?: string;
}

export interface GridLayout {
  width: number;
  height: number;
  /** Top-left output pixel of image `col` in row `row`. */
  origin(row: number, col: number): [number, number];
}

/** Where imageGrid puts each image; exposed so callers can annotate the picture. */
export function imageGridLayout(rows: number, cols: number, imgW: number, imgH: number, opts: ImageGridOptions = {}): GridLayout {
  const scale = opts.scale ?? 2, pad = opts.pad ?? 2;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`imageGrid: option scale must be a positive integer, got ${scale}`);
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`imageGrid: option pad must be a non-negative integer, got ${pad}`);
  const labelW = opts.labels?.length ? Math.max(...opts.labels.map((l) => textWidth(l))) + 16 : 0;
  const titleH = opts.title ? textHeight(opts.title, 2) + 12 : 0;
  const cellW = imgW * scale + pad, cellH = imgH * scale + pad;
  return {
    width: Math.max(labelW + pad + cols * cellW, opts.title ? textWidth(opts.title, 2) + 16 : 1),
    height: titleH + pad + rows * cellH,
    origin: (r, c) => [labelW + pad + c * cellW, titleH + pad + r * cellH],
  };
}

/**
 * Grey images in rows, values in [0, 1] (clamped; NaN shows red), row-major `imgW × imgH` each.
 * Row r image c lands at `imageGridLayout(...).origin(r, c)`.
 */
export function imageGridCanvas(rows: Float32Array[][], imgW: number, imgH: number, opts: ImageGridOptions = {}): Canvas {
  if (!Number.isInteger(imgW) || !Number.isInteger(imgH) || imgW < 1 || imgH < 1) throw new Error(`imageGrid: image size must be positive integers, got ${imgW}x${imgH}`);
  if (opts.labels && opts.labels.length > rows.length) throw new Error(`imageGrid: ${opts.labels.length} labels for ${rows.length} rows`);
  const cols = Math.max(0, ...rows.map((r) => r.length));
  const layout = imageGridLayout(rows.length, cols, imgW, imgH, opts);
  const scale = opts.scale ?? 2;
  const canvas = new Canvas(layout.width, layout.height);
  if (opts.title) drawText(canvas, Math.round((layout.width - textWidth(opts.title, 2)) / 2), 6, opts.title, INK, 2);
  rows.forEach((row, r) => {
    row.forEach((img, c) => {
      if (img.length !== imgW * imgH) throw new Error(`imageGrid: image ${c} of row ${r} has ${img.length} values, expected ${imgW}x${imgH} = ${imgW * imgH}`);
      const [ox, oy] = layout.origin(r, c);
      for (let i = 0; i < img.length; i++) {
        const v = img[i]!;
        const g = Math.round(Math.min(1, Math.max(0, v)) * 255);
        canvas.fillRect(ox + (i % imgW) * scale, oy + Math.floor(i / imgW) * scale, scale, scale, Number.isNaN(v) ? NAN_PIXEL : [g, g, g]);
      }
    });
    const label = opts.labels?.[r];
    if (label) drawText(canvas, 8, layout.origin(r, 0)[1] + Math.round((imgH * scale - CAP_HEIGHT) / 2), label, INK);
  });
  return canvas;
}

/** imageGridCanvas encoded as PNG. */
export function imageGrid(rows: Float32Array[][], imgW: number, imgH: number, opts: ImageGridOptions = {}): Uint8Array {
  return imageGridCanvas(rows, imgW, imgH, opts).toPng();
}

// ---------------------------------------------------------------- line chart

export interface LineSeries {
  name: string;
  /** x values; default 0, 1, 2, … */
  x?: readonly number[];
  y: readonly number[];
  color?: Rgb;
}

export interface LineChartOptions extends AxesOptions {
  series: LineSeries[];
  /** Logarithmic y axis; values ≤ 0 are skipped like NaN. */
  logY?: boolean;
}

/** Series draw markers at every point when they have at most this many points. */
const MARKER_LIMIT = 40;

/** Lines through each series (default size 720 × 450); non-finite values (and y ≤ 0 on a log axis) leave gaps. */
export function lineChartCanvas(opts: LineChartOptions): Chart {
  const logY = opts.logY ?? false;
  const runs = opts.series.map((s, i) => {
    if (s.x && s.x.length !== s.y.length) throw new Error(`lineChart: series ${i} ('${s.name}') has ${s.x.length} x values but ${s.y.length} y values`);
    return finiteRuns(s, logY);
  });
  const all = runs.flat(2);
  const styles = opts.series.map((s, i): LegendEntry => ({
    name: s.name, color: s.color ?? PALETTE[i % PALETTE.length]!, line: true,
    marker: runs[i]!.reduce((n, r) => n + r.length, 0) <= MARKER_LIMIT,
  }));
  const size = { width: opts.width ?? 720, height: opts.height ?? 450 };
  const toPixels = (toPx: (x: number, y: number) => [number, number]): [number, number][][] => runs.flat().map((run) => run.map(([x, y]) => toPx(x, y)));
  return renderChart(size, opts, axisRange(all.map((p) => p[0]), false), axisRange(all.map((p) => p[1]), logY), logY, styles,
    (f) => samplePolylines(toPixels(f.toPx)),
    (canvas, f) => runs.forEach((seriesRuns, i) => {
      const { color, marker } = styles[i]!;
      for (const run of seriesRuns.map((r) => r.map(([x, y]) => f.toPx(x, y)))) {
        if (run.length > 1) canvas.polyline(run, color, 2);
        if (marker || run.length === 1) for (const [px, py] of run) canvas.disc(px, py, 3, color);
      }
    }));
}

/** lineChartCanvas encoded as PNG. */
export function lineChart(opts: LineChartOptions): Uint8Array {
  return lineChartCanvas(opts).canvas.toPng();
}

/** Split a series into runs of consecutive plottable (x, y) points. */
function finiteRuns(s: LineSeries, logY: boolean): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  s.y.forEach((y, i) => {
    const x = s.x ? s.x[i]! : i;
    if (Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0)) {
      run.push([x, y]);
    } else if (run.length) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length) runs.push(run);
  return runs;
}

// ---------------------------------------------------------------- scatter

export interface ScatterOptions extends AxesOptions {
  points: { x: Float32Array; y: Float32Array; label?: Int32Array };
  /** Legend names by label value; default the label number. */
  labelNames?: string[];
  /** Disc radius in pixels (default 2, or 1.5 above 5,000 points). */
  radius?: number;
}

/** Points coloured by label (palette index label mod 10), with a legend of the labels present; default size 720 × 540. */
export function scatterCanvas(opts: ScatterOptions): Chart {
  const { x, y, label } = opts.points;
  if (x.length !== y.length || (label && label.length !== x.length)) {
    throw new Error(`scatter: points.x has ${x.length} values, points.y ${y.length}${label ? `, points.label ${label.length}` : ''}; they must match`);
  }
  const keep: number[] = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]) && Number.isFinite(y[i])) keep.push(i);
  const radius = opts.radius ?? (keep.length > 5000 ? 1.5 : 2);
  const colorOf = (l: number): Rgb => PALETTE[((l % 10) + 10) % 10]!;
  const present = label ? [...new Set(keep.map((i) => label[i]!))].sort((a, b) => a - b) : [];
  const entries = present.map((l): LegendEntry => ({ name: opts.labelNames?.[l] ?? String(l), color: colorOf(l), line: false, marker: true }));
  const size = { width: opts.width ?? 720, height: opts.height ?? 540 };
  return renderChart(size, opts, axisRange(keep.map((i) => x[i]!), false), axisRange(keep.map((i) => y[i]!), false), false, entries,
    (f) => keep.map((i) => f.toPx(x[i]!, y[i]!)),
    (canvas, f) => keep.forEach((i) => {
      const [px, py] = f.toPx(x[i]!, y[i]!);
      canvas.disc(px, py, radius, colorOf(label?.[i] ?? 0), 0.75);
    }));
}

/** scatterCanvas encoded as PNG. */
export function scatter(opts: ScatterOptions): Uint8Array {
  return scatterCanvas(opts).canvas.toPng();
}
