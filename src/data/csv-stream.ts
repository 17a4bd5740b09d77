/**
 * A CSV table of any size, read in batches of rows with bounded memory: the file is read in chunks,
 * each cut after its last complete record (a line break outside quotes), and parsed by the same
 * rules as `readCsv` (header detection, label column, numbers, blank lines), so both readers accept
 * and refuse the same files. Errors name the file and the line.
 */
import { closeSync } from 'node:fs';
import { csvRecords, type CsvRecord } from './csv-records.js';
import { checkDelimiter, isBlank, readRow, rowLayout, type CsvOptions, type RowLayout } from './csv.js';
import { makeDataset, type Dataset } from './dataset.js';
import { openForReading, readAt } from './file.js';

export interface CsvStreamOptions extends CsvOptions {
  /** Rows per batch (default 4096). */
  batchRows?: number;
  /** Bytes read from the file at a time (default 1 MiB). */
  chunkBytes?: number;
}

/** One batch of rows: a dataset of `n` rows whose first row is on line `firstLine` of the file. */
export interface CsvBatch extends Dataset {
  firstLine: number;
}

export interface CsvStream {
  /** Features per row (the label column left out). */
  dim: number;
  /** The header's names of the features, or null. */
  featureNames: string[] | null;
  /** The file's size in bytes, and how many have been read so far (for progress). */
  size: number;
  bytesRead(): number;
  /** The rows, in order, in batches of `batchRows` (the last may be shorter). */
  batches(): Generator<CsvBatch>;
  close(): void;
}

const QUOTE = 0x22;
const LF = 0x0a;

/** Open `path` and read its first record (to learn the header and width); the rows follow through `batches()`. */
export function openCsvStream(path: string, opts: CsvStreamOptions = {}): CsvStream {
  const delimiter = checkDelimiter(opts.delimiter ?? ',');
  const { fd, size } = openForReading(path, { bytes: Number.MAX_SAFE_INTEGER, what: 'no limit' });
  const chunk = new Uint8Array(opts.chunkBytes ?? 2 ** 20);
  const decoder = new TextDecoder();
  let position = 0;
  let pending = '';
  let nextLine = 1;
  let ended = false;
  let blankLine = 0;

  /** The next complete records of the file (empty at its end), blank lines dropped at the end and refused inside. */
  function nextRecords(): CsvRecord[] {
    const out: CsvRecord[] = [];
    while (out.length === 0 && !(ended && pending === '')) {
      if (!ended) {
        const got = readAt(fd, chunk, position, path);
        position += got;
        ended = got === 0;
        pending += decoder.decode(chunk.subarray(0, got), { stream: !ended });
      }
      const cut = ended ? pending.length : lastRecordEnd(pending);
      if (cut === 0) continue;
      const text = pending.slice(0, cut);
      pending = pending.slice(cut);
      for (const rec of csvRecords(text, delimiter, path, nextLine)) {
        if (isBlank(rec)) {
          blankLine ||= rec.line;
          continue;
        }
        if (blankLine > 0) throw new Error(`${path}:${blankLine}: blank line inside the data`);
        out.push(rec);
      }
      nextLine += countLines(text);
    }
    return out;
  }

  let queue: CsvRecord[];
  let layout: RowLayout;
  let dim: number;
  try {
    queue = nextRecords();
    const first = queue[0];
    if (first === undefined) throw new Error(`${path}: empty file`);
    ({ layout, dim } = rowLayout(first, path, opts));
    if (layout.header !== null) queue.shift();
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const batchRows = opts.batchRows ?? 4096;
  let closed = false;
  const close = () => {
    if (!closed) closeSync(fd);
    closed = true;
  };
  return {
    dim,
    featureNames: layout.header === null ? null : layout.header.filter((_, c) => c !== layout.label),
    size,
    bytesRead: () => position,
    close,
    *batches() {
      let rows = 0;
      try {
        for (;;) {
          const x = new Float32Array(batchRows * dim);
          const labels = layout.label < 0 ? null : new Int32Array(batchRows);
          let n = 0;
          let firstLine = 0;
          while (n < batchRows) {
            if (queue.length === 0) queue = nextRecords();
            const rec = queue.shift();
            if (rec === undefined) break;
            firstLine ||= rec.line;
            readRow(layout, rec, x, n * dim, labels, n);
            n++;
          }
          rows += n;
          if (n === 0) break;
          const ds = makeDataset({ x: x.subarray(0, n * dim), sampleShape: [dim], labels: labels?.subarray(0, n) ?? null, source: path });
          yield { ...ds, firstLine };
          if (n < batchRows) break;
        }
        if (rows === 0) throw new Error(`${path}: no data rows after the header`);
      } finally {
        close();
      }
    },
  };
}

/** The index just past the last line feed outside quotes in `text` (0 when there is none). */
function lastRecordEnd(text: string): number {
  if (text.indexOf('"') < 0) return text.lastIndexOf('\n') + 1;
  let inQuotes = false;
  let end = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (c === LF && !inQuotes) end = i + 1;
  }
  return end;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
