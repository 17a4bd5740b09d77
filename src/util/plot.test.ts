import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WHITE, type Rgb } from './canvas.js';
import { decodePng } from './png.js';
import { PALETTE, imageGrid, imageGridCanvas, imageGridLayout, lineChart, lineChartCanvas, scatter, scatterCanvas } from './plot.js';

const px = (c: { getPixel(x: number, y: number): Rgb }, [x, y]: [number, number]): Rgb => c.getPixel(Math.floor(x), Math.floor(y));
const constant = (n: number, v: number): Float32Array => new Float32Array(n).fill(v);

test('image grid: size and the offset of every image follow the layout', () => {
  const [w, h, scale, pad] = [4, 3, 2, 1];
  const rows = [[0, 1, 2].map((k) => constant(w * h, (k + 1) / 10)), [3, 4].map((k) => constant(w * h, (k + 1) / 10))];
  const canvas = imageGridCanvas(rows, w, h, { scale, pad });
  assert.deepEqual([canvas.width, canvas.height], [pad + 3 * (w * scale + pad), pad + 2 * (h * scale + pad)]);
  rows.forEach((row, r) => row.forEach((_, c) => {
    const [x, y] = [pad + c * (w * scale + pad), pad + r * (h * scale + pad)];
    assert.deepEqual(imageGridLayout(2, 3, w, h, { scale, pad }).origin(r, c), [x, y]);
    const g = Math.round(((r * 3 + c + 1) / 10) * 255);
    assert.deepEqual(canvas.getPixel(x, y), [g, g, g], `image ${r},${c} top-left`);
    assert.deepEqual(canvas.getPixel(x + w * scale - 1, y + h * scale - 1), [g, g, g], `image ${r},${c} bottom-right`);
    assert.deepEqual(canvas.getPixel(x - 1, y), WHITE, `gap left of ${r},${c}`);
    assert.deepEqual(canvas.getPixel(x + w * scale, y + h * scale), WHITE, `gap after ${r},${c}`);
  }));
  assert.deepEqual(canvas.getPixel(canvas.width - 1 - pad, canvas.height - 1 - pad), WHITE); // row 1 has only two images
});

test('image grid: pixels are placed row-major, upscaled, clamped, NaN red', () => {
  const img = Float32Array.of(0, 1, -3, 7, 0.5, NaN); // 3 wide, 2 tall
  const c = imageGridCanvas([[img]], 3, 2, { scale: 3, pad: 0 });
  const at = (i: number, j: number): Rgb => c.getPixel(j * 3 + 1, i * 3 + 2);
  assert.deepEqual([at(0, 0), at(0, 1), at(0, 2), at(1, 0), at(1, 1), at(1, 2)], [[0, 0, 0], [255, 255, 255], [0, 0, 0], [255, 255, 255], [128, 128, 128], [255, 0, 0]]);
});

test('image grid: labels and title push the images right and down; PNG decodes to the canvas', () => {
  const rows = [[constant(4, 0)], [constant(4, 0)]];
  const opts = { labels: ['original', 'reconstruction'], title: 'Epoch 3', scale: 4 };
  const layout = imageGridLayout(2, 1, 2, 2, opts);
  const [x0, y0] = layout.origin(0, 0);
  assert.ok(x0 > 60 && y0 > 14, `origin ${x0},${y0}`);
  const png = decodePng(imageGrid(rows, 2, 2, opts));
  assert.deepEqual([png.width, png.height], [layout.width, layout.height]);
  assert.deepEqual([...png.data], [...imageGridCanvas(rows, 2, 2, opts).data]);
  const i = (y0 * png.width + x0) * 3;
  assert.deepEqual([...png.data.subarray(i, i + 3)], [0, 0, 0]);
  const labelInk = [...Array(x0).keys()].some((x) => png.data[((y0 + 3) * png.width + x) * 3] !== 255);
  assert.ok(labelInk, 'row label drawn left of the first image');
});

test('image grid: bad sizes fail naming the image', () => {
  assert.throws(() => imageGrid([[constant(4, 0), constant(5, 0)]], 2, 2), /image 1 of row 0 has 5 values, expected 2x2 = 4/);
  assert.throws(() => imageGrid([[constant(4, 0)]], 2, 2, { scale: 1.5 }), /option scale must be a positive integer/);
  assert.throws(() => imageGrid([[constant(4, 0)]], 2, 2, { labels: ['a', 'b'] }), /2 labels for 1 rows/);
});

test('line chart: white background, series colour on every point and along segments', () => {
  const y = [3, 1, 4, 1, 5];
  const { canvas, frame } = lineChartCanvas({ title: 'loss', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'train', y }] });
  assert.deepEqual([canvas.width, canvas.height], [720, 450]);
  assert.deepEqual(canvas.getPixel(0, 0), WHITE);
  const blue = PALETTE[0]!;
  y.forEach((v, i) => assert.deepEqual(px(canvas, frame.toPx(i, v)), blue, `point ${i}`));
  assert.deepEqual(px(canvas, frame.toPx(0.5, 2)), blue, 'midpoint of the first segment');
  assert.ok(['255,255,255', '228,228,228'].includes(px(canvas, frame.toPx(0.5, 3.5)).join()), 'off the line: background or gridline');
  assert.ok(frame.left > 20 && frame.right < 720 && frame.top > 20 && frame.bottom < 450);
  // the data range sits inside the frame
  assert.ok(frame.toPx(0, 1)[0] > frame.left && frame.toPx(4, 5)[1] > frame.top);
});

test('line chart: NaN leaves a gap; a single point and a constant series still draw', () => {
  const { canvas, frame } = lineChartCanvas({ series: [{ name: 'a', x: [0, 1, 2, 3, 4], y: [0, 1, NaN, 3, 4] }] });
  const blue = PALETTE[0]!;
  assert.deepEqual(px(canvas, frame.toPx(1, 1)), blue);
  assert.deepEqual(px(canvas, frame.toPx(3, 3)), blue);
  assert.notDeepEqual(px(canvas, frame.toPx(2, 2)), blue, 'no line across the NaN');

  const one = lineChartCanvas({ series: [{ name: 'only', y: [0.25] }] });
  assert.deepEqual(px(one.canvas, one.frame.toPx(0, 0.25)), blue);
  const flat = lineChartCanvas({ series: [{ name: 'c', y: [2, 2, 2] }] });
  const [, yMid] = flat.frame.toPx(1, 2);
  assert.ok(Math.abs(yMid - (flat.frame.top + flat.frame.bottom) / 2) < 1, 'constant series centred vertically');
  assert.doesNotThrow(() => lineChart({ series: [{ name: 'nothing', y: [NaN, NaN] }] }));
  assert.doesNotThrow(() => lineChart({ series: [] }));
});

test('line chart: log scale spaces decades evenly and skips values <= 0', () => {
  const { canvas, frame } = lineChartCanvas({ logY: true, series: [{ name: 'l', y: [1, 0.1, 0, 0.01, 0.001], color: [200, 0, 0] }] });
  const ys = [1, 0.1, 0.01, 0.001].map((v) => frame.toPx(0, v)[1]);
  const gaps = ys.slice(1).map((y, i) => y - ys[i]!);
  for (const g of gaps) assert.ok(Math.abs(g - gaps[0]!) < 1e-6, `gaps ${gaps.join(', ')}`);
  assert.deepEqual(px(canvas, frame.toPx(3, 0.01)), [200, 0, 0]);
  assert.throws(() => lineChart({ series: [{ name: 'bad', x: [1, 2], y: [1] }] }), /series 0 \('bad'\) has 2 x values but 1 y values/);
});

test('line chart: the legend sits in a free inside corner', () => {
  // Falling line: the top-right corner is empty, so the legend goes there and the frame keeps its full width.
  const { canvas, frame } = lineChartCanvas({ series: [{ name: 'falling', y: [10, 0] }] });
  assert.equal(frame.right, canvas.width - 24);
  let swatch = false;
  for (let j = frame.top; j < frame.top + 30; j++) for (let i = frame.right - 120; i < frame.right; i++) swatch ||= canvas.getPixel(i, j).join() === PALETTE[0]!.join();
  assert.ok(swatch, 'legend swatch near the top-right corner');
});

test('line chart: several series get palette colours and a legend', () => {
  const series = [0, 1, 2].map((k) => ({ name: `s${k}`, y: [k, k + 1, k + 0.5] }));
  const { canvas, frame } = lineChartCanvas({ series });
  series.forEach((s, k) => assert.deepEqual(px(canvas, frame.toPx(1, s.y[1]!)), PALETTE[k]));
  const png = decodePng(lineChart({ series }));
  assert.deepEqual([png.width, png.height, png.channels], [720, 450, 3]);
});

test('scatter: points take their label colour; the legend lists the labels present', () => {
  // coordinates off the tick values, so no gridline runs under the points
  const x = Float32Array.of(0.13, 9.71, 0.13, 9.71, NaN);
  const y = Float32Array.of(0.37, 0.37, 9.93, 9.93, 5);
  const label = Int32Array.of(0, 3, 7, 13, 5);
  const { canvas, frame } = scatterCanvas({ points: { x, y, label }, radius: 4 });
  const over = (v: number): number => Math.round(255 * 0.25 + v * 0.75); // alpha 0.75 over white
  const blend = ([r, g, b]: Rgb): Rgb => [over(r), over(g), over(b)];
  for (let i = 0; i < 4; i++) assert.deepEqual(px(canvas, frame.toPx(x[i]!, y[i]!)), blend(PALETTE[label[i]! % 10]!), `point ${i}`);
  // every inside corner holds a point, so the legend moves outside, right of the frame
  const colours = new Set<string>();
  for (let j = 0; j < canvas.height; j++) for (let i = frame.right + 1; i < canvas.width; i++) colours.add(canvas.getPixel(i, j).join());
  for (const l of [0, 3, 7]) assert.ok(colours.has(PALETTE[l]!.join()), `legend swatch for ${l}`);
  assert.ok(!colours.has(PALETTE[5]!.join()), 'label 5 only on a NaN point: not in the legend');
  assert.throws(() => scatter({ points: { x, y: y.subarray(1) } }), /points.x has 5 values, points.y 4/);
  assert.equal(decodePng(scatter({ points: { x, y } })).width, 720);
});
