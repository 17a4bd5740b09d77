/**
 * A fixed-width 5×7 pixel font (printable ASCII plus β μ σ × ·) drawn by hand for chart labels.
 * Each cell is 5 wide and 9 tall: rows 0–6 hold capitals and digits (row 6 is the baseline),
 * rows 7–8 hold descenders (g j p q y , _). Glyphs advance 6 pixels, lines 11 pixels, times `scale`.
 */
import type { Canvas, Rgb } from './canvas.js';

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 9;
/** Height of capitals and digits above and including the baseline row. */
export const CAP_HEIGHT = 7;
export const ADVANCE = 6;
export const LINE_HEIGHT = 11;

// Rows top to bottom, '#' = ink; fewer than 9 rows means the rest are blank.
const GLYPHS: Record<string, string> = {
  ' ': '.....',
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  A: '.###. #...# #...# ##### #...# #...# #...#',
  B: '####. #...# #...# ####. #...# #...# ####.',
  C: '.###. #...# #.... #.... #.... #...# .###.',
  D: '###.. #..#. #...# #...# #...# #..#. ###..',
  E: '##### #.... #.... ####. #.... #.... #####',
  F: '##### #.... #.... ####. #.... #.... #....',
  G: '.###. #...# #.... #.### #...# #...# .####',
  H: '#...# #...# #...# ##### #...# #...# #...#',
  I: '.###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  J: '..### ...#. ...#. ...#. ...#. #..#. .##..',
  K: '#...# #..#. #.#.. ##... #.#.. #..#. #...#',
  L: '#.... #.... #.... #.... #.... #.... #####',
  M: '#...# ##.## #.#.# #.#.# #...# #...# #...#',
  N: '#...# #...# ##..# #.#.# #..## #...# #...#',
  O: '.###. #...# #...# #...# #...# #...# .###.',
  P: '####. #...# #...# ####. #.... #.... #....',
  Q: '.###. #...# #...# #...# #.#.# #..#. .##.#',
  R: '####. #...# #...# ####. #.#.. #..#. #...#',
  S: '.#### #.... #.... .###. ....# ....# ####.',
  T: '##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  U: '#...# #...# #...# #...# #...# #...# .###.',
  V: '#...# #...# #...# #...# #...# .#.#. ..#..',
  W: '#...# #...# #...# #.#.# #.#.# #.#.# .#.#.',
  X: '#...# #...# .#.#. ..#.. .#.#. #...# #...#',
  Y: '#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..',
  Z: '##### ....# ...#. ..#.. .#... #.... #####',
  a: '..... ..... .###. ....# .#### #...# .####',
  b: '#.... #.... #.##. ##..# #...# #...# ####.',
  c: '..... ..... .###. #.... #.... #...# .###.',
  d: '....# ....# .##.# #..## #...# #...# .####',
  e: '..... ..... .###. #...# ##### #.... .###.',
  f: '..##. .#..# .#... ###.. .#... .#... .#...',
  g: '..... ..... .#### #...# #...# #...# .#### ....# .###.',
  h: '#.... #.... #.##. ##..# #...# #...# #...#',
  i: '..#.. ..... .##.. ..#.. ..#.. ..#.. .###.',
  j: '...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##..',
  k: '#.... #.... #..#. #.#.. ##... #.#.. #..#.',
  l: '.##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  m: '..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#',
  n: '..... ..... #.##. ##..# #...# #...# #...#',
  o: '..... ..... .###. #...# #...# #...# .###.',
  p: '..... ..... ####. #...# #...# #...# ####. #.... #....',
  q: '..... ..... .#### #...# #...# #...# .#### ....# ....#',
  r: '..... ..... #.##. ##..# #.... #.... #....',
  s: '..... ..... .#### #.... .###. ....# ####.',
  t: '.#... .#... ###.. .#... .#... .#..# ..##.',
  u: '..... ..... #...# #...# #...# #..## .##.#',
  v: '..... ..... #...# #...# #...# .#.#. ..#..',
  w: '..... ..... #...# #...# #.#.# #.#.# .#.#.',
  x: '..... ..... #...# .#.#. ..#.. .#.#. #...#',
  y: '..... ..... #...# #...# #...# #...# .#### ....# .###.',
  z: '..... ..... ##### ...#. ..#.. .#... #####',
  '!': '..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..',
  '"': '.#.#. .#.#.',
  '#': '.#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.',
  $: '..#.. .#### #.#.. .###. ..#.# ####. ..#..',
  '%': '##... ##..# ...#. ..#.. .#... #..## ...##',
  '&': '.##.. #..#. #.#.. .#... #.#.# #..#. .##.#',
  "'": '..#.. ..#..',
  '(': '...#. ..#.. .#... .#... .#... ..#.. ...#.',
  ')': '.#... ..#.. ...#. ...#. ...#. ..#.. .#...',
  '*': '..... ..#.. #.#.# .###. #.#.# ..#..',
  '+': '..... ..#.. ..#.. ##### ..#.. ..#..',
  ',': '..... ..... ..... ..... ..... .##.. ..#.. .#...',
  '-': '..... ..... ..... #####',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  '/': '..... ....# ...#. ..#.. .#... #....',
  ':': '..... .##.. .##.. ..... .##.. .##..',
  ';': '..... .##.. .##.. ..... .##.. ..#.. .#...',
  '<': '...#. ..#.. .#... #.... .#... ..#.. ...#.',
  '=': '..... ..... ##### ..... #####',
  '>': '.#... ..#.. ...#. ....# ...#. ..#.. .#...',
  '?': '.###. #...# ....# ...#. ..#.. ..... ..#..',
  '@': '.###. #...# #.### #.#.# #.### #.... .####',
  '[': '.###. .#... .#... .#... .#... .#... .###.',
  '\\': '..... #.... .#... ..#.. ...#. ....#',
  ']': '.###. ...#. ...#. ...#. ...#. ...#. .###.',
  '^': '..#.. .#.#. #...#',
  _: '..... ..... ..... ..... ..... ..... ..... #####',
  '`': '.#... ..#..',
  '{': '..##. .#... .#... #.... .#... .#... ..##.',
  '|': '..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..',
  '}': '.##.. ...#. ...#. ....# ...#. ...#. .##..',
  '~': '..... ..... .#... #.#.# ...#.',
  'β': '.##.. #..#. #..#. ###.. #...# #...# ####. #.... #....',
  'μ': '..... ..... #...# #...# #...# #..## ###.# #.... #....',
  'σ': '..... ..... .#### #..#. #...# #...# .###.',
  '×': '..... #...# .#.#. ..#.. .#.#. #...#',
  '·': '..... ..... ..... ..#..',
  '\u2212': '..... ..... ..... #####', // minus sign
  '\ufffd': '##### #...# #...# #...# #...# #...# #####', // drawn for characters the font lacks
};

let bitmaps: Map<string, Uint8Array> | undefined;

/** The 5×9 bitmap of `ch` (1 = ink), row-major; unknown characters get a hollow box. */
export function glyph(ch: string): Uint8Array {
  bitmaps ??= parseGlyphs();
  return bitmaps.get(ch) ?? bitmaps.get('\ufffd')!;
}

/** Whether the font draws `ch` itself rather than the fallback box. */
export function hasGlyph(ch: string): boolean {
  return ch !== '\ufffd' && Object.hasOwn(GLYPHS, ch);
}

function parseGlyphs(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [ch, rows] of Object.entries(GLYPHS)) {
    const bits = new Uint8Array(GLYPH_WIDTH * GLYPH_HEIGHT);
    const lines = rows.split(' ');
    if (lines.length > GLYPH_HEIGHT || lines.some((l) => !/^[.#]{5}$/.test(l))) throw new Error(`font: glyph '${ch}' is malformed: '${rows}'`);
    lines.forEach((row, y) => {
      for (let x = 0; x < GLYPH_WIDTH; x++) bits[y * GLYPH_WIDTH + x] = row[x] === '#' ? 1 : 0;
    });
    out.set(ch, bits);
  }
  return out;
}

/** Width in pixels of the widest line of `text` at `scale`. */
export function textWidth(text: string, scale = 1): number {
  const longest = Math.max(...text.split('\n').map((l) => [...l].length));
  return longest === 0 ? 0 : (longest * ADVANCE - 1) * scale;
}

/** Height in pixels of `text` at `scale`, including descenders of the last line. */
export function textHeight(text: string, scale = 1): number {
  return ((text.split('\n').length - 1) * LINE_HEIGHT + GLYPH_HEIGHT) * scale;
}

/** Draw `text` with the top-left of its first cell at (x, y); '\n' starts a new line. */
export function drawText(canvas: Canvas, x: number, y: number, text: string, color: Rgb, scale = 1): void {
  text.split('\n').forEach((line, row) => {
    [...line].forEach((ch, col) => {
      drawGlyph(glyph(ch), (gx, gy) => canvas.fillRect(x + (col * ADVANCE + gx) * scale, y + (row * LINE_HEIGHT + gy) * scale, scale, scale, color));
    });
  });
}

/**
 * Draw one line of `text` rotated 90° counter-clockwise (read bottom to top), as for a y-axis label.
 * (x, y) is the top-left of the rotated box, which is textHeight wide and textWidth tall.
 */
export function drawTextVertical(canvas: Canvas, x: number, y: number, text: string, color: Rgb, scale = 1): void {
  const height = textWidth(text, scale);
  [...text].forEach((ch, col) => {
    // Glyph pixel (gx, gy) of character col lands at column gy and row (height-1) - (col*ADVANCE + gx).
    drawGlyph(glyph(ch), (gx, gy) => canvas.fillRect(x + gy * scale, y + height - (col * ADVANCE + gx + 1) * scale, scale, scale, color));
  });
}

function drawGlyph(bits: Uint8Array, plot: (gx: number, gy: number) => void): void {
  for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
    for (let gx = 0; gx < GLYPH_WIDTH; gx++) if (bits[gy * GLYPH_WIDTH + gx]) plot(gx, gy);
  }
}
