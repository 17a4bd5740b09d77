/**
 * The data formats read from and written to files (Node only). The parsers they wrap are pure and
 * load in a browser; this module is the file-system side.
 */
import { constants as bufferConstants } from 'node:buffer';
import { writeFileAtomic } from '../util/atomic.js';
import type { Dataset } from './dataset.js';
import { formatCsv, parseCsv, type CsvDataset, type CsvMatrix, type CsvOptions } from './csv.js';
import { readFileBytes, readLimits, type FileLimit } from './file.js';
import { parseIdx, type IdxArray } from './idx.js';
import { encodeNpy, npyDataset, parseNpy, type NpyArray, type NpyData } from './npy.js';

/** Read an IDX file; errors name the file and the byte offset. */
export function readIdx(path: string): IdxArray {
  return parseIdx(readFileBytes(path), path);
}

/** Read an NPY file; errors name the file and the byte offset. */
export function readNpy(path: string): NpyArray {
  return parseNpy(readFileBytes(path), path);
}

/** Read an NPY array of shape [n, ...sample] as a dataset of n unlabelled float32 rows (values are not rescaled). */
export function loadNpy(path: string): Dataset {
  return npyDataset(readNpy(path), path);
}

/** Write an NPY file (version 1.0, or 2.0 for a header over 64 KiB), atomically. */
export function writeNpy(path: string, data: NpyData, shape: readonly number[]): void {
  writeFileAtomic(path, ...encodeNpy(data, shape, path));
}

/** Read a numeric CSV file into a dataset with sample shape [dim]. */
export function readCsv(path: string, opts: CsvOptions = {}): CsvDataset {
  return parseCsv(new TextDecoder().decode(readFileBytes(path, csvLimit())), path, opts);
}

// Decoded UTF-8 has at most one UTF-16 unit per byte, so this bound keeps the text within one JavaScript string.
function csvLimit(): FileLimit {
  const bytes = Math.min(readLimits.maxFileBytes, bufferConstants.MAX_STRING_LENGTH);
  return { bytes, what: bytes === readLimits.maxFileBytes ? 'readLimits.maxFileBytes' : 'the longest string JavaScript holds' };
}

/** Write rows of numbers as CSV, atomically; float32 values are written in their shortest exact form. */
export function writeCsv(path: string, rows: readonly ArrayLike<number>[] | CsvMatrix, header?: readonly string[]): void {
  writeFileAtomic(path, formatCsv(rows, header, `writeCsv ${path}`));
}
