import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCsvStream, readCsv, type CsvStreamOptions } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'aekit-csv-stream-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** All rows of a stream joined, to compare with readCsv. */
function readAll(path: string, opts: CsvStreamOptions) {
  const s = openCsvStream(path, opts);
  const x: number[] = [];
  const labels: number[] = [];
  const lines: number[] = [];
  for (const b of s.batches()) {
    x.push(...b.x);
    if (b.labels) labels.push(...b.labels);
    lines.push(b.firstLine);
  }
  return { dim: s.dim, featureNames: s.featureNames, x, labels, lines };
}

test('streamed rows equal readCsv for every chunk size, with quoted line breaks, CRLF and a BOM', () => {
  const text = '\ufeff"a",b,"c\nd",label\r\n1,2,3,0\r\n4.5,"5",6e2,1\r\n-7,8,9,0\n10,11,12,1\n\n';
  const path = file('mixed.csv', text);
  const whole = readCsv(path, { labelColumn: 'label' });
  for (const chunkBytes of [1, 3, 7, 16, 1 << 20]) {
    for (const batchRows of [1, 3, 100]) {
      const got = readAll(path, { labelColumn: 'label', chunkBytes, batchRows });
      assert.deepEqual(got.x, [...whole.x], `chunk ${chunkBytes}, batch ${batchRows}`);
      assert.deepEqual(got.labels, [...whole.labels!]);
      assert.deepEqual(got.featureNames, ['a', 'b', 'c\nd']);
      assert.equal(got.dim, 3);
    }
  }
  assert.deepEqual(readAll(path, { labelColumn: 'label', chunkBytes: 5, batchRows: 2 }).lines, [3, 5], 'the header spans lines 1–2; batches start on lines 3 and 5');
});

test('a file without a header, and one with a multi-byte character split across chunks', () => {
  const path = file('plain.csv', '1,2\n3,4\n5,6');
  assert.deepEqual(readAll(path, { chunkBytes: 2 }).x, [1, 2, 3, 4, 5, 6]);
  const named = file('named.csv', 'größe,x\n1,2\n');
  assert.deepEqual(readAll(named, { chunkBytes: 2 }).featureNames, ['größe', 'x']);
});

test('errors name the file and the line, as readCsv does', () => {
  assert.throws(() => openCsvStream(file('empty.csv', '')), /empty\.csv: empty file/);
  assert.throws(() => readAll(file('nan.csv', 'a,b\n1,2\n3,nan\n'), { chunkBytes: 4 }), /nan\.csv:3: column "b" \(2\): "nan" is not a number/);
  assert.throws(() => readAll(file('ragged.csv', 'a,b\n1,2\n3\n'), {}), /ragged\.csv:3: expected 2 columns, found 1/);
  assert.throws(() => readAll(file('blank.csv', 'a,b\n1,2\n\n3,4\n'), { chunkBytes: 3 }), /blank\.csv:3: blank line inside the data/);
  assert.throws(() => readAll(file('header-only.csv', 'a,b\n'), {}), /header-only\.csv: no data rows after the header/);
  assert.throws(() => openCsvStream(join(dir, 'missing.csv')), /no such file/);
});
