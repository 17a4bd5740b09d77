import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatFloat32, parseCsv } from './csv.js';
import { readCsv, writeCsv } from './files.js';

const dir = mkdtempSync(join(tmpdir(), 'aekit-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('detects a header, reads numeric columns and a named label column', () => {
  const ds = parseCsv('age,height,label\n30,1.8,0\n41,-1.5e2,1\n', 'p.csv', { labelColumn: 'label' });
  assert.equal(ds.n, 2);
  assert.equal(ds.dim, 2);
  assert.deepEqual(ds.sampleShape, [2]);
  assert.deepEqual([...ds.x], [30, Math.fround(1.8), 41, -150]);
  assert.deepEqual([...ds.labels!], [0, 1]);
  assert.deepEqual(ds.featureNames, ['age', 'height']);
  assert.equal(ds.source, 'p.csv');
});

test('without a header every line is data; labelColumn may be an index, negative from the end', () => {
  const ds = parseCsv('1,2,7\n4,5,6', 'n.csv', { labelColumn: -1 });
  assert.deepEqual([...ds.x], [1, 2, 4, 5]);
  assert.deepEqual([...ds.labels!], [7, 6]);
  assert.equal(ds.featureNames, null);
  assert.deepEqual([...parseCsv('1,2,7\n4,5,6', 'n.csv', { labelColumn: 0 }).labels!], [1, 4]);
  assert.deepEqual([...parseCsv('1,2,7\n4,5,6', 'n.csv', { labelColumn: '0' }).labels!], [1, 4]);
  assert.equal(parseCsv('1,2\n', 'n.csv').labels, null);
});

test('header: true treats a numeric first line as names; header: false makes a text first line an error', () => {
  const ds = parseCsv('1,2\n3,4\n', 'h.csv', { header: true });
  assert.deepEqual(ds.featureNames, ['1', '2']);
  assert.equal(ds.n, 1);
  assert.throws(() => parseCsv('a,b\n3,4\n', 'h.csv', { header: false }), /^Error: h\.csv:1: column 1: "a" is not a number$/);
});

test('handles CRLF, quoted fields, a BOM, spaces around numbers and blank trailing lines', () => {
  const text = '\ufeff"x, first","say ""y"""\r\n" 1 ",2\r\n3 , 4\r\n\r\n\n';
  const ds = parseCsv(text, 'q.csv');
  assert.deepEqual(ds.featureNames, ['x, first', 'say "y"']);
  assert.deepEqual([...ds.x], [1, 2, 3, 4]);
});

test('a quoted field may span lines, and later line numbers still count every line', () => {
  const text = '"two\nlines",b\n1,2\n3,x\n';
  assert.deepEqual(parseCsv('"two\nlines",b\n1,2\n', 'm.csv').featureNames, ['two\nlines', 'b']);
  assert.throws(() => parseCsv(text, 'm.csv'), /^Error: m\.csv:4: column "b" \(2\): "x" is not a number$/);
});

test('other delimiters: semicolon and tab', () => {
  assert.deepEqual([...parseCsv('a;b\n1.5;2\n', 's.csv', { delimiter: ';' }).x], [1.5, 2]);
  assert.deepEqual([...parseCsv('a\tb\n1\t2\n', 't.tsv', { delimiter: '\t' }).x], [1, 2]);
  assert.throws(() => parseCsv('a;b\n1,5;2\n', 's.csv', { delimiter: ';' }), /s\.csv:2: column "a" \(1\): "1,5" is not a number/);
  assert.throws(() => parseCsv('1\n', 'd.csv', { delimiter: ';;' }), /option delimiter must be one character/);
  assert.throws(() => parseCsv('1\n', 'd.csv', { delimiter: '"' }), /option delimiter/);
});

test('errors name the file, the line and the column', () => {
  const text = 'id,age,score\n1,30,0.5\n2,abc,0.7\n';
  assert.throws(() => parseCsv(text, 'data.csv'), { message: 'data.csv:3: column "age" (2): "abc" is not a number' });
  assert.throws(() => parseCsv('a,b\n1,2\n3\n', 'w.csv'), { message: 'w.csv:3: expected 2 columns, found 1' });
  assert.throws(() => parseCsv('a,b\n1,2,3\n', 'w.csv'), { message: 'w.csv:2: expected 2 columns, found 3' });
  assert.throws(() => parseCsv('a,b\n1,\n', 'e.csv'), /e\.csv:2: column "b" \(2\): "" is not a number/);
  assert.throws(() => parseCsv('a\nNaN\n', 'n.csv', { header: true }), /n\.csv:2: column "a" \(1\): "NaN" is not a number/);
  assert.throws(() => parseCsv('a\n0x10\n', 'n.csv', { header: true }), /"0x10" is not a number/);
  assert.throws(() => parseCsv('a\n1e39\n', 'o.csv'), /o\.csv:2: column "a" \(1\): "1e39" is outside the float32 range/);
});

test('empty files, header-only files and blank lines inside the data are refused', () => {
  assert.throws(() => parseCsv('', 'e.csv'), { message: 'e.csv: empty file' });
  assert.throws(() => parseCsv('\n\r\n', 'e.csv'), { message: 'e.csv: empty file' });
  assert.throws(() => parseCsv('a,b\n', 'h.csv'), { message: 'h.csv: no data rows after the header on line 1' });
  assert.throws(() => parseCsv('a\n1\n\n2\n', 'b.csv'), { message: 'b.csv:3: blank line inside the data' });
  assert.throws(() => parseCsv('"a,b\n1\n', 'u.csv'), { message: 'u.csv:1: quoted field is never closed' });
  assert.throws(() => parseCsv('"a"x,b\n1,2\n', 'u.csv'), /u\.csv:1: unexpected "x" after a closing quote/);
});

test('a first line of column numbers (0..n-1 or 1..n, three or more) is a header; header: false reads it as data', () => {
  for (const head of ['0,1,2', '1,2,3', ' 0 , 1 , 2 ']) {
    const ds = parseCsv(`${head}\n7,8,9\n`, 'c.csv');
    assert.equal(ds.n, 1, head);
    assert.deepEqual(ds.featureNames, head.split(','));
  }
  assert.equal(parseCsv('0,1,2\n7,8,9\n', 'c.csv', { header: false }).n, 2);
  assert.equal(parseCsv('0,1\n7,8\n', 'c.csv').n, 2, 'two columns reading 0,1 are more likely a data row');
  assert.equal(parseCsv('2020,2021,2022\n7,8,9\n', 'c.csv').n, 2, 'other numbers are data unless header: true');
});

test('labels span the whole 32-bit range', () => {
  assert.deepEqual([...parseCsv('x,y\n1,-2147483648\n2,2147483647\n', 'r.csv', { labelColumn: 'y' }).labels!], [-2147483648, 2147483647]);
  assert.throws(() => parseCsv('x,y\n1,2147483648\n', 'r.csv', { labelColumn: 'y' }), /is not a 32-bit integer/);
});

test('a label column named by a number is found by its name before its index', () => {
  const ds = parseCsv('a,0,b\n1,2,3\n4,5,6\n', 'n.csv', { labelColumn: '0' });
  assert.deepEqual([...ds.labels!], [2, 5]);
  assert.deepEqual(ds.featureNames, ['a', 'b']);
  assert.deepEqual([...parseCsv('a,x,b\n1,2,3\n4,5,6\n', 'n.csv', { labelColumn: '0' }).labels!], [1, 4], 'no column named 0: an index');
});

test('label column problems are named', () => {
  const text = 'f0,label\n1,0\n2,0.5\n';
  assert.throws(() => parseCsv(text, 'l.csv', { labelColumn: 'label' }), { message: 'l.csv:3: label column "label" (2): "0.5" is not a 32-bit integer' });
  assert.throws(() => parseCsv(text, 'l.csv', { labelColumn: 'class' }), /l\.csv: option labelColumn "class" is not in the header \(columns: f0, label\)/);
  assert.throws(() => parseCsv('a,a\n1,2\n', 'l.csv', { labelColumn: 'a' }), /appears more than once/);
  assert.throws(() => parseCsv('1,2\n', 'l.csv', { labelColumn: 'a' }), /names a column, but the file has no header/);
  assert.throws(() => parseCsv('1,2\n', 'l.csv', { labelColumn: 2 }), /option labelColumn 2 is not a column index in \[-2, 2\)/);
  assert.throws(() => parseCsv('label\n1\n', 'l.csv', { labelColumn: 0 }), /no feature columns besides the label column/);
});

// The team's shared data sits beside the checkout (../shared), as it does in CI.
const breastw = new URL('../../../../shared/data/odds/breastw.csv', import.meta.url).pathname;

test('reads a real ODDS table from disk', { skip: existsSync(breastw) ? false : `${breastw} is not present beside this checkout` }, () => {
  const ds = readCsv(breastw, { labelColumn: 'label' });
  assert.equal(ds.n, 683);
  assert.equal(ds.dim, 9);
  assert.deepEqual([...ds.x.subarray(0, 9)], [5, 1, 1, 1, 2, 1, 3, 1, 1]);
  assert.equal(ds.labels!.reduce((a, b) => a + b, 0), 239, 'breastw has 239 outliers');
});

test('a missing file says no such file', () => {
  const path = join(dir, 'absent.csv');
  assert.throws(() => readCsv(path), { message: `no such file: ${path}` });
});

test('writeCsv writes a header and rows that read back to the same float32 values', () => {
  const path = join(dir, 'codes.csv');
  const rows = [Float32Array.from([0.1, -2.5, 1e-7]), Float32Array.from([1 / 3, 3e38, 0])];
  writeCsv(path, rows, ['z0', 'z,1', 'z2']);
  assert.equal(readFileSync(path, 'utf8'), 'z0,"z,1",z2\n0.1,-2.5,1e-7\n0.33333334,3e+38,0\n');
  const back = readCsv(path);
  assert.deepEqual(back.featureNames, ['z0', 'z,1', 'z2']);
  assert.deepEqual(back.x, Float32Array.from([...rows[0]!, ...rows[1]!]));
});

test('writeCsv takes a flat matrix and plain number rows', () => {
  const path = join(dir, 'm.csv');
  writeCsv(path, { data: Float64Array.from([1, 2, 3, 4, 5, 6]), cols: 3 });
  assert.equal(readFileSync(path, 'utf8'), '1,2,3\n4,5,6\n');
  writeCsv(path, [[0.1, 2], [3, 4]], ['a', 'b']);
  assert.equal(readFileSync(path, 'utf8'), 'a,b\n0.1,2\n3,4\n');
});

test('writeCsv refuses ragged rows, bad matrices and non-finite values, and leaves the old file', () => {
  const path = join(dir, 'keep.csv');
  writeFileSync(path, 'old\n');
  assert.throws(() => writeCsv(path, [[1, 2], [3]]), /row 1 has 1 values, expected 2/);
  assert.throws(() => writeCsv(path, [[1, 2]], ['a']), /row 0 has 2 values, expected 1/);
  assert.throws(() => writeCsv(path, { data: new Float32Array(5), cols: 2 }), /5 values do not split into rows of 2/);
  assert.throws(() => writeCsv(path, [[1, NaN]]), /row 0, column 1: NaN is not finite/);
  assert.equal(readFileSync(path, 'utf8'), 'old\n');
});

test('formatFloat32 gives the shortest decimal that reads back as the same float32', () => {
  for (const v of [0, 1, -1, 0.1, 1 / 3, Math.PI, 1e-45, 3.4028234663852886e38, 123456789]) {
    const f = Math.fround(v);
    const s = formatFloat32(f);
    assert.equal(Math.fround(Number(s)), f, `${v} -> ${s}`);
  }
  assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
  assert.equal(formatFloat32(Math.fround(Math.PI)), '3.1415927');
});

test('errors quote at most 80 characters of a field, escaped, however long or odd the field', () => {
  const nul = '\0'.repeat(5000);
  assert.throws(() => parseCsv(`a,b\n1,${nul}\n`, 'n.csv'),
    { message: `n.csv:2: column "b" (2): "${'\\u0000'.repeat(13)}… (5000 characters)" is not a number` });
  assert.throws(() => parseCsv(`${'h'.repeat(300)},b\n${'x'.repeat(300)},1\n`, 'w.csv'),
    (err: Error) => err.message.length < 300 && /^w\.csv:2: column "h{80}… \(300 characters\)" \(1\): "x{80}… \(300 characters\)" is not a number$/.test(err.message));
});
