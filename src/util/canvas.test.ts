import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Canvas, WHITE, type Rgb } from './canvas.js';
import { decodePng } from './png.js';

const BLUE: Rgb = [0, 0, 255];

function inkedPixels(c: Canvas): [number, number][] {
  const out: [number, number][] = [];
  for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) if (c.getPixel(x, y)[0] !== 255) out.push([x, y]);
  return out;
}

test('a new canvas is the background colour and encodes to a PNG of its size', () => {
  const c = new Canvas(7, 3, [10, 20, 30]);
  const img = decodePng(c.toPng());
  assert.deepEqual([img.width, img.height, img.channels], [7, 3, 3]);
  assert.deepEqual([...img.data.subarray(0, 6)], [10, 20, 30, 10, 20, 30]);
  assert.throws(() => new Canvas(0, 3), /positive integers, got 0x3/);
});

test('Bresenham lines hit exactly the expected pixels', () => {
  const c = new Canvas(10, 10);
  c.line(0, 0, 6, 2, BLUE);
  // slope 1/3: one pixel per column at y = round(x / 3)
  assert.deepEqual(inkedPixels(c), [[0, 0], [1, 0], [2, 1], [3, 1], [4, 1], [5, 2], [6, 2]]);
  const d = new Canvas(5, 5);
  d.line(3, 4, 3, 0, BLUE);
  assert.deepEqual(inkedPixels(d), [[3, 0], [3, 1], [3, 2], [3, 3], [3, 4]]);
});

test('fillRect and strokeRect clip to the canvas', () => {
  const c = new Canvas(4, 4);
  c.fillRect(-2, -2, 4, 4, BLUE);
  assert.deepEqual(inkedPixels(c), [[0, 0], [1, 0], [0, 1], [1, 1]]);
  const d = new Canvas(4, 4);
  d.strokeRect(0, 0, 4, 4, BLUE);
  assert.equal(inkedPixels(d).length, 12);
  assert.deepEqual(d.getPixel(1, 1), WHITE);
});

test('anti-aliased polyline covers its path fully and fades at the edge', () => {
  const c = new Canvas(20, 10);
  c.polyline([[2, 5], [10, 5], [18, 5]], BLUE, 2);
  assert.deepEqual(c.getPixel(10, 4), BLUE); // row 4 spans y 4..5, centre 4.5 is 0.5 from the line
  assert.deepEqual(c.getPixel(10, 5), BLUE);
  assert.deepEqual(c.getPixel(10, 7), WHITE);
  const edge = c.getPixel(10, 6); // centre 6.5 is 1.5 away: coverage 1 + 0.5 - 1.5 = 0
  assert.deepEqual(edge, WHITE);
  const d = new Canvas(20, 10);
  d.polyline([[2, 5], [18, 5]], BLUE, 1.5);
  // half-width 0.75: rows 4 and 5 have centres 0.5 away, coverage 0.75 + 0.5 - 0.5 = 0.75
  assert.deepEqual(d.getPixel(10, 5), [64, 64, 255]);
  assert.deepEqual(d.getPixel(10, 4), [64, 64, 255]);
});

test('polyline joints are not drawn twice', () => {
  const c = new Canvas(20, 20);
  c.polyline([[2, 10], [10, 10], [10, 18]], BLUE, 1.5, 0.5);
  assert.deepEqual(c.getPixel(9, 9), c.getPixel(5, 9)); // same coverage at the joint as along the line
});

test('discs are solid at the centre and round', () => {
  const c = new Canvas(11, 11);
  c.disc(5.5, 5.5, 3, BLUE);
  assert.deepEqual(c.getPixel(5, 5), BLUE);
  assert.deepEqual(c.getPixel(7, 5), BLUE);
  assert.deepEqual(c.getPixel(8, 5), [128, 128, 255]); // centre exactly on the rim: half covered
  assert.deepEqual(c.getPixel(9, 9), WHITE);
  assert.deepEqual(c.getPixel(0, 5), WHITE);
});
