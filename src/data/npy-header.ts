/**
 * The NPY header: a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
 * This parser accepts exactly that grammar (strings, True/False, tuples of integers) and nothing else.
 */
import { byteError, printable, quoted } from '../util/bytes.js';

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

type Value = string | boolean | number[];

/** A cursor over the header text that can name the byte it stopped at. */
class Scanner {
  i = 0;
  constructor(readonly text: string, private readonly base: number, private readonly name: string) {}

  error(msg: string): Error {
    return byteError(this.name, this.base + this.i, `NPY header: ${msg} in ${quoted(this.text.trim(), 160)}`);
  }
  skipSpaces(): void {
    while (this.text[this.i] === ' ') this.i++;
  }
  peek(): string | undefined {
    this.skipSpaces();
    return this.text[this.i];
  }
  expect(c: string): void {
    if (this.peek() !== c) throw this.error(`expected '${c}'`);
    this.i++;
  }
}

/** Parse the header text that starts at byte `base` of the file `name`. */
export function parseNpyHeader(text: string, base: number, name: string): NpyHeader {
  const s = new Scanner(text, base, name);
  const dict = new Map<string, Value>();
  s.expect('{');
  while (s.peek() !== '}') {
    const key = readString(s);
    s.expect(':');
    if (dict.has(key)) throw s.error(`duplicate key '${printable(key)}'`);
    dict.set(key, readValue(s));
    if (s.peek() === ',') s.i++;
    else if (s.peek() !== '}') throw s.error(`expected ',' or '}'`);
  }
  s.i++;
  if (text.slice(s.i).trim() !== '') throw s.error('unexpected text after the closing brace');
  s.i = 0;
  return checkKeys(dict, s);
}

function checkKeys(dict: Map<string, Value>, s: Scanner): NpyHeader {
  for (const k of dict.keys()) if (k !== 'descr' && k !== 'fortran_order' && k !== 'shape') throw s.error(`unknown key '${printable(k)}'`);
  const descr = dict.get('descr');
  const fortranOrder = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') throw s.error(`'descr' must be a string`);
  if (typeof fortranOrder !== 'boolean') throw s.error(`'fortran_order' must be True or False`);
  if (!Array.isArray(shape)) throw s.error(`'shape' must be a tuple of integers`);
  return { descr, fortranOrder, shape };
}

function readValue(s: Scanner): Value {
  const c = s.peek();
  if (c === "'" || c === '"') return readString(s);
  if (s.text.startsWith('True', s.i)) { s.i += 4; return true; }
  if (s.text.startsWith('False', s.i)) { s.i += 5; return false; }
  if (c !== '(') throw s.error('expected a string, True, False or a tuple');
  s.i++;
  const dims: number[] = [];
  while (s.peek() !== ')') {
    const m = /^\d+L?/.exec(s.text.slice(s.i));
    if (m === null) throw s.error('expected a non-negative integer in the shape');
    const d = Number.parseInt(m[0], 10);
    // Past 2^53 the parsed number is not the dimension written.
    if (!Number.isSafeInteger(d)) throw s.error(`dimension ${printable(m[0])} is larger than 2^53`);
    dims.push(d);
    s.i += m[0].length;
    if (s.peek() === ',') s.i++;
    else if (s.peek() !== ')') throw s.error(`expected ',' or ')' in the shape`);
  }
  s.i++;
  return dims;
}

function readString(s: Scanner): string {
  const q = s.peek();
  if (q !== "'" && q !== '"') throw s.error('expected a quoted string');
  const end = s.text.indexOf(q, s.i + 1);
  if (end < 0) throw s.error('unterminated string');
  const str = s.text.slice(s.i + 1, end);
  s.i = end + 1;
  return str;
}
