import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Canvas, WHITE, type Rgb } from './canvas.js';
import { ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, drawText, drawTextVertical, glyph, hasGlyph, textHeight, textWidth } from './font.js';

const RED: Rgb = [255, 0, 0];
const REQUIRED = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,:-+/()%=_ ';

const inked = (c: Canvas, x: number, y: number): boolean => c.getPixel(x, y)[1] === 0;

test('the font has its own glyph for every required character, and they all differ', () => {
  const seen = new Map<string, string>();
  for (const ch of REQUIRED) {
    assert.ok(hasGlyph(ch), `missing glyph '${ch}'`);
    const key = glyph(ch).join('');
    assert.ok(!seen.has(key), `'${ch}' looks the same as '${seen.get(key)}'`);
    seen.set(key, ch);
  }
  assert.equal(hasGlyph('€'), false);
  assert.deepEqual(glyph('€'), glyph('\ufffd'));
});

test('drawText puts the bitmap of each character at its advance', () => {
  const c = new Canvas(20, 12);
  drawText(c, 2, 1, 'L1', RED);
  for (const [k, ch] of [...'L1'].entries()) {
    const bits = glyph(ch);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        assert.equal(inked(c, 2 + k * ADVANCE + gx, 1 + gy), bits[gy * GLYPH_WIDTH + gx] === 1, `'${ch}' pixel ${gx},${gy}`);
      }
    }
  }
  assert.deepEqual(c.getPixel(0, 0), WHITE);
});

test('scale 2 draws each font pixel as a 2x2 block', () => {
  const c = new Canvas(12, 20);
  drawText(c, 0, 0, 'L', RED, 2);
  // L: the vertical stroke is column 0, the foot is row 6.
  for (const [x, y] of [[0, 0], [1, 1], [0, 13], [9, 13], [9, 12]] as const) assert.ok(inked(c, x, y), `${x},${y}`);
  assert.ok(!inked(c, 2, 0));
  assert.ok(!inked(c, 10, 13));
});

test('text size helpers match the drawn extent', () => {
  assert.equal(textWidth('abc'), 3 * ADVANCE - 1);
  assert.equal(textWidth('ab\nabcd', 2), (4 * ADVANCE - 1) * 2);
  assert.equal(textWidth(''), 0);
  assert.equal(textHeight('x'), GLYPH_HEIGHT);
  const c = new Canvas(40, 15);
  drawText(c, 0, 0, 'gjpqy', RED);
  let maxX = 0, maxY = 0;
  for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) if (inked(c, x, y)) [maxX, maxY] = [Math.max(maxX, x), Math.max(maxY, y)];
  assert.equal(maxY, textHeight('gjpqy') - 1); // descenders reach the last row
  assert.ok(maxX < textWidth('gjpqy'));
});

test('vertical text reads bottom to top', () => {
  const c = new Canvas(12, 12);
  drawTextVertical(c, 1, 1, 'L', RED);
  // The L's stem (glyph column 0) becomes the bottom row of the 5-tall box; its foot (row 6) the column x = 1 + 6.
  for (let gy = 0; gy < 7; gy++) assert.ok(inked(c, 1 + gy, 1 + 4), `stem ${gy}`);
  for (let gx = 0; gx < 5; gx++) assert.ok(inked(c, 1 + 6, 1 + 4 - gx), `foot ${gx}`);
  assert.ok(!inked(c, 1, 1));
});

test('text running off the canvas is clipped, not an error', () => {
  const c = new Canvas(5, 5);
  drawText(c, -3, 2, 'WWWW', RED, 3);
  drawTextVertical(c, 3, -10, 'hello', RED);
  assert.equal(c.width, 5);
});
