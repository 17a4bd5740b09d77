/**
 * CSV tables of numbers: an optional header, one optional integer label column, every other
 * column numeric. Errors name the file, the line and the column (columns numbered from 1).
 */
import { csvRecords, type CsvRecord } from './csv-records.js';
import { makeDataset, type Dataset } from './dataset.js';
import { printable, quoted } from '../util/bytes.js';

export interface CsvOptions {
  /**
   * Whether the first line names the columns. By default it does when any of its fields is not a
   * number, or when its (three or more) fields are the column numbers 0…n-1 or 1…n (how pandas and R
   * name unnamed columns); any other all-numeric first line is data. Pass true or false to say which.
   */
  header?: boolean;
  /**
   * The label column: a header name, or a 0-based index (negative counts from the end, -1 = last).
   * A string is looked up in the header first, so a column named "0" is found by its name.
   */
  labelColumn?: string | number;
  /** Field separator, one character; default ','. */
  delimiter?: string;
}

/** A dataset read from CSV, with the column names of its features when the file had a header. */
export interface CsvDataset extends Dataset {
  featureNames: string[] | null;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parse CSV text; `name` labels error messages. */
export function parseCsv(text: string, name: string, opts: CsvOptions = {}): CsvDataset {
  const delimiter = checkDelimiter(opts.delimiter ?? ',');
  const records = dataRecords(text, delimiter, name);
  const first = records[0];
  if (first === undefined) throw new Error(`${name}: empty file`);
  const { layout, dim } = rowLayout(first, name, opts);
  const { header, label } = layout;
  const rows = header !== null ? records.slice(1) : records;
  if (rows.length === 0) throw new Error(`${name}: no data rows after the header on line ${first.line}`);
  const x = new Float32Array(rows.length * dim);
  const labels = label < 0 ? null : new Int32Array(rows.length);
  rows.forEach((rec, r) => readRow(layout, rec, x, r * dim, labels, r));
  const featureNames = header === null ? null : header.filter((_, c) => c !== label);
  return { ...makeDataset({ x, sampleShape: [dim], labels, source: name }), featureNames };
}

/** What reading a row needs to know: the file's name, its header, its column count and the label column (-1: none). */
export interface RowLayout {
  name: string;
  header: string[] | null;
  cols: number;
  label: number;
}

/** The header of a table whose first record is `first` (null when it has none), its label column (-1: none) and its feature count. */
export function rowLayout(first: CsvRecord, name: string, opts: CsvOptions): { layout: RowLayout; dim: number } {
  const header = (opts.header ?? looksLikeHeader(first.fields)) ? first.fields : null;
  const cols = first.fields.length;
  const label = opts.labelColumn === undefined ? -1 : resolveLabelColumn(opts.labelColumn, header, cols, name);
  const dim = label < 0 ? cols : cols - 1;
  if (dim === 0) throw new Error(`${name}: no feature columns besides the label column`);
  return { layout: { name, header, cols, label }, dim };
}

/** Parse record `rec` into x from `offset` and its label into labels[r]; errors name the line and column. */
export function readRow(l: RowLayout, rec: CsvRecord, x: Float32Array, offset: number, labels: Int32Array | null, r: number): void {
  const { name, header, cols, label } = l;
  const columnName = (c: number) => (header === null ? `column ${c + 1}` : `column ${quoted(header[c]!)} (${c + 1})`);
  if (rec.fields.length !== cols) throw new Error(`${name}:${rec.line}: expected ${cols} columns, found ${rec.fields.length}`);
  let k = offset;
  for (let c = 0; c < cols; c++) {
    const v = parseNumber(rec.fields[c]!, () => `${name}:${rec.line}: ${columnName(c)}`);
    if (c !== label) x[k++] = v;
    else if (!Number.isInteger(v) || v < -(2 ** 31) || v > 2 ** 31 - 1) {
      throw new Error(`${name}:${rec.line}: label ${columnName(c)}: ${quoted(rec.fields[c]!)} is not a 32-bit integer`);
    } else labels![r] = v;
  }
}

/** A record that holds nothing but white space (a blank line). */
export function isBlank(rec: CsvRecord): boolean {
  return rec.fields.length === 1 && rec.fields[0]!.trim() === '';
}

/** All records, dropping blank lines at the end and refusing them in the middle. */
function dataRecords(text: string, delimiter: string, name: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let blankLine = 0;
  for (const rec of csvRecords(text, delimiter, name)) {
    if (isBlank(rec)) {
      blankLine ||= rec.line;
      continue;
    }
    if (blankLine > 0) throw new Error(`${name}:${blankLine}: blank line inside the data`);
    out.push(rec);
  }
  return out;
}

function parseNumber(field: string, where: () => string): number {
  const s = field.trim();
  if (!NUMBER.test(s)) throw new Error(`${where()}: ${quoted(field)} is not a number`);
  const v = Number(s);
  // Values beyond float32 range would become Infinity in the dataset.
  if (!Number.isFinite(Math.fround(v))) throw new Error(`${where()}: ${quoted(field)} is outside the float32 range`);
  return v;
}

function looksLikeHeader(fields: readonly string[]): boolean {
  if (fields.some((f) => !NUMBER.test(f.trim()))) return true;
  // Column numbers as names; from three columns on, a data row that happens to read 0,1,2 is unlikely.
  const numbers = fields.map((f) => Number(f.trim()));
  return numbers.length >= 3 && (numbers.every((v, i) => v === i) || numbers.every((v, i) => v === i + 1));
}

function resolveLabelColumn(spec: string | number, header: string[] | null, cols: number, name: string): number {
  if (typeof spec === 'string') {
    const text = spec.trim();
    if (/^-?\d+$/.test(text) && !header?.some((h) => h.trim() === text)) spec = Number(text);
  }
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < -cols || spec >= cols) {
      throw new Error(`${name}: option labelColumn ${spec} is not a column index in [${-cols}, ${cols})`);
    }
    return spec < 0 ? cols + spec : spec;
  }
  if (header === null) throw new Error(`${name}: option labelColumn ${quoted(spec)} names a column, but the file has no header`);
  const hits = header.flatMap((h, c) => (h.trim() === spec ? [c] : []));
  if (hits.length !== 1) {
    const why = hits.length === 0 ? 'is not in the header' : 'appears more than once in the header';
    throw new Error(`${name}: option labelColumn ${quoted(spec)} ${why} (columns: ${printable(header.join(', '), 200)})`);
  }
  return hits[0]!;
}

export function checkDelimiter(d: string): string {
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new Error(`option delimiter must be one character other than a quote or line break, got ${JSON.stringify(d)}`);
  }
  return d;
}

/** A row-major matrix: `data.length / cols` rows of `cols` values. */
export interface CsvMatrix {
  data: Float32Array | Float64Array;
  cols: number;
}

/** Rows of numbers as CSV text; float32 values are written in their shortest exact form. `name` labels errors. */
export function formatCsv(rows: readonly ArrayLike<number>[] | CsvMatrix, header?: readonly string[], name = 'formatCsv'): string {
  const list = 'cols' in rows ? matrixRows(rows, name) : rows;
  const cols = header?.length ?? list[0]?.length ?? 0;
  const lines: string[] = header === undefined ? [] : [header.map(quoteField).join(',') + '\n'];
  list.forEach((row, r) => {
    if (row.length !== cols) throw new Error(`${name}: row ${r} has ${row.length} values, expected ${cols}`);
    const fmt = row instanceof Float32Array ? formatFloat32 : String;
    const parts = new Array<string>(cols);
    for (let c = 0; c < cols; c++) {
      const v = row[c]!;
      if (!Number.isFinite(v)) throw new Error(`${name}: row ${r}, column ${c}: ${v} is not finite`);
      parts[c] = fmt(v);
    }
    lines.push(parts.join(',') + '\n');
  });
  return lines.join('');
}

function matrixRows(m: CsvMatrix, name: string): (Float32Array | Float64Array)[] {
  if (!Number.isInteger(m.cols) || m.cols < 1 || m.data.length % m.cols !== 0) {
    throw new Error(`${name}: ${m.data.length} values do not split into rows of ${m.cols}`);
  }
  const out = [];
  for (let o = 0; o < m.data.length; o += m.cols) out.push(m.data.subarray(o, o + m.cols));
  return out;
}

function quoteField(s: string): string {
  return /[",\r\n]/.test(s) || s.trim() !== s ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Fewest significant digits that read back as the same float32. */
export function formatFloat32(v: number): string {
  for (let p = 1; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}
